// The pre-call check: camera and microphone, a level meter, and a connection test
// against the server's own WebRTC peer, which echoes media and data-channel messages.

export function browserFamily(userAgent = navigator.userAgent) {
  if (/SamsungBrowser/i.test(userAgent)) return "samsung";
  if (/Firefox|FxiOS/i.test(userAgent)) return "firefox";
  if (/iPhone|iPad|iPod/i.test(userAgent) && !/CriOS|EdgiOS/i.test(userAgent)) return "safari_ios";
  return "chrome";
}

export async function openDevices() {
  const constraints = {
    audio: { echoCancellation: true, noiseSuppression: true },
    video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
  };
  try {
    return { stream: await navigator.mediaDevices.getUserMedia(constraints) };
  } catch (error) {
    if (error.name === "NotAllowedError" || error.name === "SecurityError") {
      return { error: `denied_${browserFamily()}` };
    }
    // No camera: try the microphone alone, then nothing; one can still listen and chat.
    try {
      return {
        stream: await navigator.mediaDevices.getUserMedia({ audio: true }),
        error: "no_camera",
      };
    } catch {
      return { stream: new MediaStream(), error: "no_camera" };
    }
  }
}

export function startMeter(stream, meter) {
  const tracks = stream.getAudioTracks();
  if (!tracks.length || !window.AudioContext) return () => {};
  const context = new AudioContext();
  const source = context.createMediaStreamSource(new MediaStream(tracks));
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let running = true;
  const tick = () => {
    if (!running) return;
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    meter.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
    requestAnimationFrame(tick);
  };
  tick();
  return () => {
    running = false;
    context.close();
  };
}

function waitFor(target, eventName, test, timeoutMs) {
  return new Promise((resolve) => {
    if (test()) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => {
      target.removeEventListener(eventName, listener);
      resolve(false);
    }, timeoutMs);
    const listener = () => {
      if (test()) {
        clearTimeout(timer);
        target.removeEventListener(eventName, listener);
        resolve(true);
      }
    };
    target.addEventListener(eventName, listener);
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function echoRoundTrips(channel, count) {
  const times = [];
  for (let i = 0; i < count; i += 1) {
    const sentAt = performance.now();
    const echoed = new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 2000);
      channel.addEventListener(
        "message",
        () => {
          clearTimeout(timer);
          resolve(true);
        },
        { once: true },
      );
    });
    channel.send(`ping ${i}`);
    if (!(await echoed)) break;
    times.push(performance.now() - sentAt);
  }
  return times;
}

// Returns {result: "good" | "weak" | "none" | "busy", rttMs}.
export async function connectionTest(url, stream, stunUrls) {
  const pc = new RTCPeerConnection({ iceServers: stunUrls.length ? [{ urls: stunUrls }] : [] });
  try {
    for (const track of stream.getTracks()) {
      const sender = pc.addTrack(track, stream);
      if (track.kind === "video") {
        // A small picture is enough to prove the path and spares the server's CPU.
        const parameters = sender.getParameters();
        parameters.encodings = [{ scaleResolutionDownBy: 2, maxBitrate: 300000 }];
        sender.setParameters(parameters).catch(() => {});
      }
    }
    const channel = pc.createDataChannel("echo");
    await pc.setLocalDescription(await pc.createOffer());
    await waitFor(pc, "icegatheringstatechange", () => pc.iceGatheringState === "complete", 3000);
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "offer", sdp: pc.localDescription.sdp }),
    });
    if (response.status === 503) return { result: "busy" };
    if (!response.ok) return { result: "none" };
    await pc.setRemoteDescription(await response.json());
    const open = await waitFor(channel, "open", () => channel.readyState === "open", 10000);
    if (!open) return { result: "none" };
    const times = await echoRoundTrips(channel, 5);
    // Let the echo of the media come back, then see what arrived.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    let mediaBack = false;
    let lost = 0;
    let received = 0;
    (await pc.getStats()).forEach((report) => {
      if (report.type === "inbound-rtp") {
        received += report.packetsReceived || 0;
        lost += Math.max(0, report.packetsLost || 0);
        if ((report.packetsReceived || 0) > 0) mediaBack = true;
      }
    });
    const rttMs = times.length ? Math.round(median(times)) : null;
    const lossRatio = received + lost ? lost / (received + lost) : 0;
    const expectMedia = stream.getTracks().length > 0;
    const good = rttMs !== null && rttMs < 250 && lossRatio < 0.03 && (mediaBack || !expectMedia);
    return { result: good ? "good" : "weak", rttMs };
  } catch (error) {
    console.warn("connection test failed", error);
    return { result: "none" };
  } finally {
    pc.close();
  }
}
