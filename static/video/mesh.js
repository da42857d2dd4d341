// Peer connections to every other admitted participant (a mesh of at most six),
// negotiated with the "perfect negotiation" pattern so that either side may offer at any
// time: the polite side yields when offers collide.

const STATS_EVERY_MS = 2000;
const ABSENT_GRACE_MS = 10000;

// What this browser sends to each other participant, by how many others there are. A
// mesh encodes and sends one copy of the picture per other participant, so the upload
// and the phone's encoding work grow with the call; each step keeps the total upload
// near or under 1.25 Mbit/s (5 × 250 kbit/s at six) and the encoders' pixels per second
// about level. The camera is asked for 640 × 480 (precheck.js).
export const SEND_STEPS = [
  { others: 1, scale: 1, maxKbps: 1200, maxFps: 30 },
  { others: 2, scale: 1, maxKbps: 600, maxFps: 30 },
  { others: 3, scale: 1.5, maxKbps: 400, maxFps: 24 },
  { others: 4, scale: 2, maxKbps: 300, maxFps: 20 },
  { others: Infinity, scale: 2, maxKbps: 250, maxFps: 15 },
];
// A shared screen keeps its resolution (text must stay legible) and gives up frame rate.
const SCREEN_MAX_FPS = 5;

export function sendStep(others, screen = false) {
  const step = SEND_STEPS.find((candidate) => others <= candidate.others);
  return screen ? { ...step, scale: 1, maxFps: Math.min(step.maxFps, SCREEN_MAX_FPS) } : step;
}

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
      if (pc.connectionState === "connected") this.dispatchEvent(new Event("connected"));
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

  videoSender() {
    const transceiver = this.pc
      .getTransceivers()
      .find((candidate) => candidate.receiver.track.kind === "video" && !candidate.stopped);
    return transceiver ? transceiver.sender : null;
  }

  // Limit what goes to this peer (RTCRtpSender.setParameters: no renegotiation). The
  // limits read back from the sender are kept for the tile's figures.
  async limitSending({ scale, maxKbps, maxFps }) {
    const sender = this.videoSender();
    if (!sender || this.closed) return;
    const parameters = sender.getParameters();
    if (!parameters.encodings || parameters.encodings.length === 0) return; // not negotiated yet
    for (const encoding of parameters.encodings) {
      encoding.scaleResolutionDownBy = scale;
      encoding.maxBitrate = maxKbps * 1000;
      encoding.maxFramerate = maxFps;
    }
    try {
      await sender.setParameters(parameters);
    } catch (error) {
      console.warn("send limits not applied", error);
      return;
    }
    const [applied] = sender.getParameters().encodings;
    this.sendLimits = {
      scale: applied.scaleResolutionDownBy,
      maxKbps: Math.round(applied.maxBitrate / 1000),
      maxFps: applied.maxFramerate,
    };
    this.dispatchEvent(new Event("limits"));
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
    // What goes out to this peer: the video's payload and size, and everything on the wire.
    const sent = { bytes: 0, wireBytes: 0, frames: 0, width: 0, height: 0, fps: 0, limitedBy: "" };
    const byId = new Map();
    stats.forEach((report) => byId.set(report.id, report));
    stats.forEach((report) => {
      if (report.type === "inbound-rtp") {
        if (report.kind === "video") framesDecoded += report.framesDecoded || 0;
        received += report.packetsReceived || 0;
        lost += Math.max(0, report.packetsLost || 0);
      } else if (report.type === "outbound-rtp" && report.kind === "video") {
        sent.bytes += report.bytesSent || 0;
        sent.frames += report.framesEncoded || 0;
        sent.width = report.frameWidth || 0;
        sent.height = report.frameHeight || 0;
        sent.fps = report.framesPerSecond || 0;
        sent.limitedBy = report.qualityLimitationReason || "";
      } else if (report.type === "transport") {
        sent.wireBytes += report.bytesSent || 0;
        const pair = byId.get(report.selectedCandidatePairId);
        if (pair) {
          rtt = pair.currentRoundTripTime ?? null;
          const local = byId.get(pair.localCandidateId);
          candidateType = local ? local.candidateType : "";
        }
      }
    });
    const lossRatio = received + lost > 0 ? lost / (received + lost) : null;
    this.stats = {
      framesDecoded,
      rtt,
      lossRatio,
      candidateType,
      sent,
      quality: quality(rtt, lossRatio),
    };
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
      this.adapt();
    });
    // The encodings exist once the connection is negotiated: limit them then as well.
    peer.addEventListener("connected", () => peer.limitSending(this.step()));
    this.dispatchEvent(new CustomEvent("peer", { detail: peer }));
    this.adapt();
    return peer;
  }

  // The sending step for the call as it is now: by the number of others, and whether the
  // screen is shared.
  step() {
    const others = [...this.peers.values()].filter((peer) => !peer.closed).length;
    return sendStep(Math.max(1, others), Boolean(this.media.screen));
  }

  // Someone came or went, or the screen share started or stopped: every connection sends
  // what the new size of the call allows.
  adapt() {
    const step = this.step();
    this.each((peer) => peer.limitSending(step));
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
