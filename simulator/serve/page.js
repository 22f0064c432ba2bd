// The "Reconnect" button of the page's closed-connection notice (no inline scripts: the page's
// Content-Security-Policy allows only scripts from this server).
document.getElementById("reconnect").addEventListener("click", () => window.location.reload());
