// The signalling socket: reconnects by itself with growing pauses, says hello each time.

const MAX_BACKOFF_MS = 10000;
const PING_EVERY_MS = 20000; // the server drops a socket that is silent for a minute
const MAX_QUEUED = 200;

export class Signalling extends EventTarget {
  constructor(address, sid, name = "") {
    super();
    // The server may name another scheme or host (behind a proxy): keep only the path.
    const path = new URL(address, location.href).pathname;
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
    this.sid = sid;
    this.name = name; // the display name chosen on the page; the server keeps it
    this.attempt = 0;
    this.stopped = false;
    this.socket = null;
    this.timer = null;
    // Negotiation messages written while the socket is down (an ICE restart's offer, its
    // candidates) wait here and go out, in order, right after the next hello.
    this.queued = [];
  }

  connect() {
    this.stopped = false;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      socket.send(JSON.stringify({ type: "hello", sid: this.sid, name: this.name }));
      for (const message of this.queued.splice(0)) socket.send(JSON.stringify(message));
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.send({ type: "ping" }), PING_EVERY_MS);
      this.dispatchEvent(new Event("open"));
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (["ended", "removed", "replaced"].includes(message.type)) this.stopped = true;
      this.dispatchEvent(new CustomEvent("message", { detail: message }));
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearInterval(this.pinger);
      if (event.code === 4404) this.stopped = true;
      if (this.stopped) {
        this.dispatchEvent(new Event("stopped"));
        return;
      }
      this.dispatchEvent(new Event("lost"));
      // Full jitter, so that a room of sockets does not come back in one burst.
      const ceiling = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt);
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(), 250 + Math.random() * ceiling);
    });
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    if (message.type === "signal" && !this.stopped && this.queued.length < MAX_QUEUED) {
      this.queued.push(message);
    }
    return false;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    if (this.socket) this.socket.close();
  }
}
