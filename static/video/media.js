// The local camera and microphone during the call: mute, camera off, camera flip,
// screen share and audio only, applied to every peer connection.

export class LocalMedia {
  constructor(stream) {
    this.stream = stream;
    this.camera = stream.getVideoTracks()[0] || null;
    this.screen = null;
    this.audioOnly = false;
    this.facing = "user";
    this.peers = () => [];
    this.onVideoChanged = () => {}; // the mesh sets new send limits (a screen keeps its size)
  }

  tracks() {
    const video = this.screen || this.camera;
    return [...this.stream.getAudioTracks(), ...(video ? [video] : [])];
  }

  get muted() {
    const audio = this.stream.getAudioTracks()[0];
    return audio ? !audio.enabled : true;
  }

  toggleMute() {
    for (const track of this.stream.getAudioTracks()) track.enabled = !track.enabled;
    return this.muted;
  }

  toggleCamera() {
    if (!this.camera) return true;
    this.camera.enabled = !this.camera.enabled;
    return !this.camera.enabled;
  }

  async canFlip() {
    if (!navigator.mediaDevices.enumerateDevices) return false;
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.filter((device) => device.kind === "videoinput").length > 1;
  }

  async flip() {
    this.facing = this.facing === "user" ? "environment" : "user";
    const fresh = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: this.facing } },
    });
    const track = fresh.getVideoTracks()[0];
    if (this.camera) {
      // The other camera is off too when this one was (camera off, or audio only).
      track.enabled = this.camera.enabled;
      this.stream.removeTrack(this.camera);
      this.camera.stop();
    }
    this.camera = track;
    this.stream.addTrack(track);
    if (!this.screen) for (const peer of this.peers()) peer.replaceVideo(track);
  }

  canShare() {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
  }

  async share(onStopped) {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
    this.screen = display.getVideoTracks()[0];
    this.screen.addEventListener("ended", () => {
      this.stopShare();
      onStopped();
    });
    for (const peer of this.peers()) peer.replaceVideo(this.screen);
    this.onVideoChanged();
    return this.screen;
  }

  stopShare() {
    if (!this.screen) return;
    this.screen.stop();
    this.screen = null;
    for (const peer of this.peers()) peer.replaceVideo(this.camera);
    this.onVideoChanged();
  }

  // Audio only: no video either way, which is what helps a weak connection.
  setAudioOnly(on) {
    this.audioOnly = on;
    if (this.camera) this.camera.enabled = !on;
    for (const peer of this.peers()) peer.setVideoDirection(on ? "inactive" : "sendrecv");
  }

  stop() {
    for (const track of this.stream.getTracks()) track.stop();
    if (this.screen) this.screen.stop();
  }
}
