// One tile per remote participant: their video, name and connection quality.
// The tile also carries the figures of the quality indicator as data attributes.

export class Tiles {
  constructor(container, texts, isHost, onRemove) {
    this.container = container;
    this.texts = texts;
    this.isHost = isHost;
    this.onRemove = onRemove;
    this.tiles = new Map();
  }

  add(peer) {
    this.remove(peer);
    const tile = document.createElement("figure");
    tile.className = "tile";
    tile.dataset.pid = peer.pid;
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.srcObject = peer.stream;
    const markFirstFrame = () => {
      if (!tile.dataset.firstFrameAt) tile.dataset.firstFrameAt = String(Date.now());
    };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(markFirstFrame);
    video.addEventListener("loadeddata", markFirstFrame, { once: true });
    const caption = document.createElement("figcaption");
    const name = document.createElement("span");
    name.className = "tile-name";
    const quality = document.createElement("span");
    quality.className = "quality";
    quality.setAttribute("role", "status");
    caption.append(name, quality);
    tile.append(video, caption);
    if (this.isHost) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "tile-remove";
      remove.textContent = this.texts.remove;
      remove.addEventListener("click", () => this.onRemove(peer.pid));
      caption.append(remove);
    }
    const describe = () => {
      // Every professional shows as a worker to the family, whether booked or added.
      const role = peer.kind === "colleague" ? "worker" : peer.kind;
      const kind = this.texts[`kind_${role}`] || "";
      name.textContent = kind ? `${peer.name} (${kind})` : peer.name;
      video.setAttribute("aria-label", peer.name);
      if (this.isHost) {
        caption.lastChild.setAttribute("aria-label", `${this.texts.remove}: ${peer.name}`);
      }
    };
    describe();
    peer.addEventListener("info", describe);
    peer.addEventListener("media", () => {
      video.srcObject = peer.stream;
      video.play().catch(() => {});
    });
    peer.addEventListener("stats", () => {
      const { framesDecoded, quality: level, candidateType } = peer.stats;
      tile.dataset.framesDecoded = String(framesDecoded);
      tile.dataset.candidateType = candidateType;
      tile.dataset.quality = level;
      // What goes from this browser to that participant (the benchmark reads these).
      tile.dataset.statsAt = String(Date.now());
      tile.dataset.bytesSent = String(peer.stats.sent.bytes);
      tile.dataset.wireBytesSent = String(peer.stats.sent.wireBytes);
      tile.dataset.framesEncoded = String(peer.stats.sent.frames);
      tile.dataset.sentSize = `${peer.stats.sent.width}x${peer.stats.sent.height}`;
      tile.dataset.sentFps = String(peer.stats.sent.fps);
      tile.dataset.sentLimitedBy = peer.stats.sent.limitedBy;
      quality.textContent = this.texts[`quality_${level}`] || "";
    });
    peer.addEventListener("state", () => {
      tile.dataset.state = peer.pc.connectionState;
    });
    peer.addEventListener("limits", () => {
      tile.dataset.sendMaxKbps = String(peer.sendLimits.maxKbps);
      tile.dataset.sendScale = String(peer.sendLimits.scale);
      tile.dataset.sendMaxFps = String(peer.sendLimits.maxFps);
    });
    this.container.append(tile);
    this.tiles.set(peer, tile);
    this.container.dataset.count = String(this.tiles.size + 1);
  }

  remove(peer) {
    const tile = this.tiles.get(peer);
    if (!tile) return;
    tile.remove();
    this.tiles.delete(peer);
    this.container.dataset.count = String(this.tiles.size + 1);
  }
}
