"""The headless session engine and the facade every view goes through."""
