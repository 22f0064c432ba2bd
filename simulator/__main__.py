"""Allow ``python -m simulator`` as a synonym for the ``tfexam`` command."""

from simulator.cli import main

if __name__ == "__main__":
    main()
