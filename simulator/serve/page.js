// The "Reconnect" button of the page's closed-connection notice (no inline scripts: the page's
// Content-Security-Policy allows only scripts from this server).
document.getElementById("reconnect").addEventListener("click", () => window.location.reload());

// The key bar (Textual's Footer) stays empty while the app is told its terminal has no focus,
// which the page's terminal says until it is clicked. Once the exam's first bytes came (the
// page marks them on <body>; before, the connection could not carry the focus to the app),
// the terminal gets the focus, as a terminal window has it when a command starts there.
function focusTerminal() {
  const input = document.querySelector("#terminal .xterm-helper-textarea");
  if (input === null || !document.body.classList.contains("-first-byte")) {
    return false;
  }
  input.blur();
  input.focus();
  return true;
}
if (!focusTerminal()) {
  const watching = new MutationObserver(() => {
    if (focusTerminal()) {
      watching.disconnect();
    }
  });
  watching.observe(document.body, { attributes: true, childList: true, subtree: true });
}
