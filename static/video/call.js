// The call page: pre-call check → waiting room → call, on one page so that the camera
// stream and its permission carry through. No framework; every text comes from the server.

import { connectionTest, openDevices, startMeter } from "./precheck.js";
import { Signalling } from "./signalling.js";
import { Mesh } from "./mesh.js";
import { LocalMedia } from "./media.js";
import { Tiles } from "./tiles.js";

const root = document.getElementById("call-root");
const texts = JSON.parse(root.dataset.texts);
const isHost = root.dataset.host === "true";
const myPid = Number(root.dataset.pid);
const $ = (id) => document.getElementById(id);

let stream = new MediaStream();
let stopMeter = () => {};
let media = null;
let mesh = null;
let signalling = null;
let inCall = false;

function show(stage) {
  for (const id of ["stage-check", "stage-waiting", "stage-call", "stage-ended"]) {
    $(id).hidden = id !== stage;
  }
  const heading = $(stage).querySelector("h2");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

function status(text) {
  $("conn-status").textContent = text;
}

// -- pre-call check ------------------------------------------------------------------

async function allowDevices() {
  $("allow-btn").disabled = true;
  const opened = await openDevices();
  if (opened.stream) {
    stream = opened.stream;
    $("self-preview").srcObject = stream;
    stopMeter = startMeter(stream, $("mic-meter"));
    $("test-btn").disabled = false;
  }
  if (opened.error) {
    $("device-error").textContent = texts[opened.error];
    $("device-error").hidden = false;
    $("allow-btn").disabled = !opened.error.startsWith("denied");
  } else {
    $("allow-btn").hidden = true;
    $("allow-help").hidden = true;
  }
}

async function testConnection() {
  $("test-btn").disabled = true;
  $("test-result").textContent = texts.testing;
  const stun = JSON.parse(root.dataset.stun || "[]");
  const { result, rttMs } = await connectionTest(root.dataset.checkUrl, stream, stun);
  const line = texts[`result_${result}`];
  $("test-result").textContent = rttMs ? `${line} ${texts.rtt}: ${rttMs} ms.` : line;
  $("test-result").dataset.result = result;
  $("test-btn").disabled = false;
}

// -- signalling ---------------------------------------------------------------------

function onMessage(message) {
  switch (message.type) {
    case "host-present":
      $("host-status").textContent = message.present ? texts.host_present : texts.host_absent;
      $("host-status").dataset.state = message.present ? "present" : "absent";
      break;
    case "seen":
      $("host-status").textContent = texts.host_seen;
      $("host-status").dataset.state = "seen";
      break;
    case "admitted":
      mesh.configure(message);
      enterCall();
      break;
    case "lobby":
      if (isHost) showLobby(message.waiting);
      break;
    case "peer-joined":
      mesh.joined(message);
      break;
    case "peer-left":
      mesh.left(message);
      break;
    case "signal":
      mesh.signal(message);
      break;
    case "invited":
      showInvite(message.link);
      break;
    case "ended":
    case "removed":
    case "replaced":
      finish(texts[message.type]);
      break;
    default:
      break;
  }
}

function joinRoom() {
  stopMeter();
  media = new LocalMedia(stream);
  const sid = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
  const name = $("display-name").value.trim();
  signalling = new Signalling(root.dataset.wsUrl, sid, name);
  mesh = new Mesh({ myPid, media, send: (message) => signalling.send(message) });
  media.peers = () => [...mesh.peers.values()];
  media.onVideoChanged = () => mesh.adapt();
  const tiles = new Tiles($("tiles"), texts, isHost, (pid) => signalling.send({ type: "remove", pid }));
  mesh.addEventListener("peer", ({ detail }) => {
    tiles.add(detail);
    detail.addEventListener("chat", ({ detail: text }) => addChat(detail.name, text));
  });
  mesh.addEventListener("peer-closed", ({ detail }) => tiles.remove(detail));
  signalling.addEventListener("message", ({ detail }) => onMessage(detail));
  signalling.addEventListener("lost", () => status(texts.reconnecting));
  signalling.addEventListener("open", () => status(""));
  signalling.connect();
  if (isHost) {
    $("lobby").hidden = false;
  } else {
    show("stage-waiting");
  }
}

function enterCall() {
  if (inCall) return;
  inCall = true;
  $("self-video").srcObject = stream;
  show("stage-call");
  media.canFlip().then((yes) => {
    $("flip-btn").hidden = !yes;
  });
  $("share-btn").hidden = !media.canShare() || /Android|iPhone|iPad/i.test(navigator.userAgent);
}

function finish(text) {
  if (mesh) mesh.leave();
  if (signalling) signalling.stop();
  if (media) media.stop();
  stopMeter();
  if (isHost) $("lobby").hidden = true;
  $("ended-text").textContent = text;
  show("stage-ended");
}

// -- worker: the waiting list and invitations -------------------------------------------

const seen = new Set();

function showLobby(waiting) {
  const list = $("lobby-list");
  list.replaceChildren();
  for (const entry of waiting) {
    const item = document.createElement("li");
    item.dataset.pid = entry.pid;
    const name = document.createElement("span");
    name.className = "lobby-name";
    name.textContent = entry.name;
    const role = document.createElement("span");
    role.className = "lobby-role";
    role.textContent = texts[`kind_${entry.kind}`] || entry.kind;
    role.dataset.kind = entry.kind;
    const admit = document.createElement("button");
    admit.type = "button";
    admit.className = "admit-btn primary";
    admit.textContent = texts.admit;
    admit.setAttribute("aria-label", `${texts.admit}: ${entry.name} (${role.textContent})`);
    admit.addEventListener("click", () => signalling.send({ type: "admit", pid: entry.pid }));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove-btn";
    remove.textContent = texts.remove;
    remove.setAttribute("aria-label", `${texts.remove}: ${entry.name} (${role.textContent})`);
    remove.addEventListener("click", () => signalling.send({ type: "remove", pid: entry.pid }));
    item.append(name, role, admit, remove);
    list.append(item);
    if (!seen.has(entry.pid)) {
      seen.add(entry.pid);
      // The family's page shows that the worker knows they are waiting.
      signalling.send({ type: "seen", pid: entry.pid });
      $("lobby-news").textContent = `${entry.name}: ${texts.waiting_list}`;
    }
  }
  $("lobby-empty").hidden = waiting.length > 0;
  $("admit-all-btn").hidden = waiting.length < 2;
}

function showInvite(link) {
  $("invite-error").hidden = Boolean(link);
  $("invite-result").hidden = !link;
  if (link) {
    $("invite-link").value = link;
    $("invite-link").select();
  }
}

// -- chat --------------------------------------------------------------------------

function addChat(who, text) {
  const item = document.createElement("li");
  const name = document.createElement("strong");
  name.textContent = `${who}: `;
  item.append(name, document.createTextNode(text));
  $("chat-log").append(item);
  if ($("chat").hidden) $("chat-btn").classList.add("has-news");
}

function sendChat(event) {
  event.preventDefault();
  const text = $("chat-input").value.trim();
  if (!text) return;
  mesh.each((peer) => peer.sendChannel({ type: "chat", text }));
  addChat(texts.you, text);
  $("chat-input").value = "";
}

// -- controls ----------------------------------------------------------------------

function press(button, pressed, onText, offText) {
  button.setAttribute("aria-pressed", String(pressed));
  button.textContent = pressed ? onText : offText;
}

function wireControls() {
  $("allow-btn").addEventListener("click", allowDevices);
  $("test-btn").addEventListener("click", testConnection);
  // Before the meeting's window: the check alone, no room to go on to.
  if (root.dataset.checkOnly === "true") return;
  $("continue-btn").addEventListener("click", () => {
    joinRoom();
    if (isHost) enterCall();
  });
  $("mute-btn").addEventListener("click", () => {
    press($("mute-btn"), media.toggleMute(), texts.unmute, texts.mute);
  });
  $("camera-btn").addEventListener("click", () => {
    press($("camera-btn"), media.toggleCamera(), texts.camera_on, texts.camera_off);
  });
  $("flip-btn").addEventListener("click", async () => {
    await media.flip();
    $("self-video").srcObject = stream;
  });
  $("share-btn").addEventListener("click", async () => {
    const button = $("share-btn");
    if (media.screen) {
      media.stopShare();
      press(button, false, texts.stop_share, texts.share);
      return;
    }
    try {
      await media.share(() => press(button, false, texts.stop_share, texts.share));
      press(button, true, texts.stop_share, texts.share);
    } catch {
      press(button, false, texts.stop_share, texts.share);
    }
  });
  $("audio-only-btn").addEventListener("click", () => {
    media.setAudioOnly(!media.audioOnly);
    press($("audio-only-btn"), media.audioOnly, texts.video_back, texts.audio_only);
    $("tiles").classList.toggle("audio-only", media.audioOnly);
    $("audio-only-note").hidden = !media.audioOnly;
  });
  $("chat-btn").addEventListener("click", () => {
    const open = $("chat").hidden;
    $("chat").hidden = !open;
    $("chat-btn").setAttribute("aria-expanded", String(open));
    $("chat-btn").classList.remove("has-news");
    if (open) $("chat-input").focus();
  });
  $("chat-form").addEventListener("submit", sendChat);
  if (isHost) {
    // Ending is for everyone and for good: ask first, in the page, next to the button.
    const askEnd = (open) => {
      $("end-confirm").hidden = !open;
      $("end-btn").setAttribute("aria-expanded", String(open));
      (open ? $("end-no") : $("end-btn")).focus();
    };
    $("end-btn").addEventListener("click", () => askEnd($("end-confirm").hidden));
    $("end-no").addEventListener("click", () => askEnd(false));
    $("end-yes").addEventListener("click", () => signalling.send({ type: "end" }));
    $("admit-all-btn").addEventListener("click", () => signalling.send({ type: "admit-all" }));
    for (const button of document.querySelectorAll(".invite-btn")) {
      button.addEventListener("click", () => {
        signalling.send({ type: "invite", kind: button.dataset.kind });
      });
    }
  } else {
    $("leave-btn").addEventListener("click", () => finish(texts.you_left));
  }
}

wireControls();
