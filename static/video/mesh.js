// Peer connections to every other admitted participant (a mesh of at most four),
// negotiated with the "perfect negotiation" pattern so that either side may offer at any
// time: the polite side yields when offers collide.

const STATS_EVERY_MS = 2000;
const ABSENT_GRACE_MS = 10000;

function quality(rttSeconds, lossRatio) {
  if (rttSeconds === null && lossRatio === null) return "unknown";
  const rtt = rttSeconds ?? 0;
  const loss = lossRatio ?? 0;
  if (rtt < 0.3 && loss < 0.02) return "good";
  if (rtt < 0.8 && loss < 0.08) return "weak";
  return "bad";
}

export class Peer extends EventTarget {
  constructor({ pid, sid, name, kind, polite, config, media, signal }) {
    super();
    Object.assign(this, { pid, sid, name, kind, polite });
    this.signal = signal;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.answerPending = false;
    this.queue = Promise.resolve();
    this.absentTimer = null;
    this.closed = false;
    this.stream = new MediaStream();
    const pc = new RTCPeerConnection(config);
    this.pc = pc;
    for (const track of media.tracks()) pc.addTrack(track, media.stream);
    if (media.audioOnly) this.setVideoDirection("inactive");
    // Negotiated with a fixed id: both sides make the same channel, no extra round trip.
    this.chat = pc.createDataChannel("chat", { negotiated: true, id: 0 });
    this.chat.addEventListener("message", (event) => this.onChannelMessage(event.data));

    pc.addEventListener("negotiationneeded", async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.signal({ description: pc.localDescription.toJSON() });
      } catch (error) {
        console.warn("offer failed", error);
      } finally {
        this.makingOffer = false;
      }
    });
    pc.addEventListener("icecandidate", ({ candidate }) => {
      if (candidate) this.signal({ candidate: candidate.toJSON() });
    });
    pc.addEventListener("track", ({ track }) => {
      this.stream.addTrack(track);
      this.dispatchEvent(new Event("media"));
    });
    pc.addEventListener("iceconnectionstatechange", () => {
      if (pc.iceConnectionState === "failed") pc.restartIce();
    });
    pc.addEventListener("connectionstatechange", () => {
      this.dispatchEvent(new Event("state"));
      if (pc.connectionState === "closed") this.close();
    });
    this.statsTimer = setInterval(() => this.readStats(), STATS_EVERY_MS);
  }

  // Signals of one peer are applied strictly in order.
  receive(data) {
    this.queue = this.queue.then(() => this.apply(data)).catch((error) => {
      console.warn("signal failed", error);
    });
  }

  async apply({ description, candidate }) {
    const pc = this.pc;
    if (description) {
      const readyForOffer =
        !this.makingOffer && (pc.signalingState === "stable" || this.answerPending);
      const collision = description.type === "offer" && !readyForOffer;
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      this.answerPending = description.type === "answer";
      await pc.setRemoteDescription(description);
      this.answerPending = false;
      if (description.type === "offer") {
        await pc.setLocalDescription();
        this.signal({ description: pc.localDescription.toJSON() });
      }
    } else if (candidate) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
    }
  }

  onChannelMessage(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (message.type === "chat" && typeof message.text === "string") {
      this.dispatchEvent(new CustomEvent("chat", { detail: message.text.slice(0, 1000) }));
    } else if (message.type === "bye") {
      this.close();
    }
  }

  sendChannel(message) {
    if (this.chat.readyState === "open") {
      this.chat.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  replaceVideo(track) {
    for (const sender of this.pc.getSenders()) {
      if (sender.track ? sender.track.kind === "video" : false) sender.replaceTrack(track);
    }
    // A sender whose track was removed earlier (audio only) has no kind; find it by transceiver.
    for (const transceiver of this.pc.getTransceivers()) {
      if (transceiver.receiver.track.kind === "video" && !transceiver.sender.track) {
        transceiver.sender.replaceTrack(track);
      }
    }
  }

  setVideoDirection(direction) {
    for (const transceiver of this.pc.getTransceivers()) {
      if (transceiver.receiver.track.kind === "video" && !transceiver.stopped) {
        transceiver.direction = direction;
      }
    }
  }

  markAbsent() {
    clearTimeout(this.absentTimer);
    this.absentTimer = setTimeout(() => {
      if (this.pc.connectionState !== "connected") this.close();
    }, ABSENT_GRACE_MS);
  }

  markPresent() {
    clearTimeout(this.absentTimer);
    const state = this.pc.iceConnectionState;
    if (state === "failed" || state === "disconnected") this.pc.restartIce();
  }

  async readStats() {
    if (this.closed) return;
    let stats;
    try {
      stats = await this.pc.getStats();
    } catch {
      return;
    }
    let framesDecoded = 0;
    let received = 0;
    let lost = 0;
    let rtt = null;
    let candidateType = "";
    const byId = new Map();
    stats.forEach((report) => byId.set(report.id, report));
    stats.forEach((report) => {
      if (report.type === "inbound-rtp") {
        if (report.kind === "video") framesDecoded += report.framesDecoded || 0;
        received += report.packetsReceived || 0;
        lost += Math.max(0, report.packetsLost || 0);
      } else if (report.type === "transport" && report.selectedCandidatePairId) {
        const pair = byId.get(report.selectedCandidatePairId);
        if (pair) {
          rtt = pair.currentRoundTripTime ?? null;
          const local = byId.get(pair.localCandidateId);
          candidateType = local ? local.candidateType : "";
        }
      }
    });
    const lossRatio = received + lost > 0 ? lost / (received + lost) : null;
    this.stats = { framesDecoded, rtt, lossRatio, candidateType, quality: quality(rtt, lossRatio) };
    this.dispatchEvent(new Event("stats"));
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.statsTimer);
    clearTimeout(this.absentTimer);
    this.pc.close();
    this.dispatchEvent(new Event("closed"));
  }
}

export class Mesh extends EventTarget {
  constructor({ myPid, media, send }) {
    super();
    this.myPid = myPid;
    this.media = media;
    this.send = send;
    this.config = { iceServers: [] };
    this.peers = new Map();
    this.known = new Map();
  }

  configure({ iceServers, iceTransportPolicy }) {
    this.config = { iceServers: iceServers || [], iceTransportPolicy: iceTransportPolicy || "all" };
  }

  peerFor({ pid, sid, name, kind }) {
    const existing = this.peers.get(pid);
    if (existing && existing.sid === sid && !existing.closed) return existing;
    // The other side has a new page (a reload): its old connection is of no use.
    if (existing) existing.close();
    const peer = new Peer({
      pid,
      sid,
      name: name ?? existing?.name ?? "",
      kind: kind ?? existing?.kind ?? "",
      polite: this.myPid > pid,
      config: this.config,
      media: this.media,
      signal: (data) => this.send({ type: "signal", to: pid, toSid: sid, data }),
    });
    this.peers.set(pid, peer);
    peer.addEventListener("closed", () => {
      if (this.peers.get(pid) === peer) this.peers.delete(pid);
      this.dispatchEvent(new CustomEvent("peer-closed", { detail: peer }));
    });
    this.dispatchEvent(new CustomEvent("peer", { detail: peer }));
    return peer;
  }

  // Only the impolite side (the lower id) opens a connection when someone joins; the
  // other waits for its offer. Perfect negotiation would survive both offering at once,
  // but a first offer without a collision connects sooner and more surely in a mesh.
  joined(info) {
    this.known.set(info.pid, info);
    const existing = this.peers.get(info.pid);
    if (existing && existing.sid === info.sid) {
      existing.name = info.name;
      existing.kind = info.kind;
      existing.dispatchEvent(new Event("info"));
      existing.markPresent();
    } else if (this.myPid < info.pid) {
      this.peerFor(info);
    }
  }

  left({ pid, sid }) {
    const peer = this.peers.get(pid);
    if (peer && peer.sid === sid) peer.markAbsent();
  }

  signal({ from, fromSid, data }) {
    const known = this.peers.get(from);
    const info = { ...this.known.get(from), pid: from, sid: fromSid };
    const peer = known && known.sid === fromSid ? known : this.peerFor(info);
    peer.receive(data);
  }

  each(action) {
    for (const peer of this.peers.values()) action(peer);
  }

  leave() {
    this.each((peer) => {
      peer.sendChannel({ type: "bye" });
      peer.close();
    });
  }
}
