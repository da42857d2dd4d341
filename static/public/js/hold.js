// Countdown of a held time. The page already says in text until when the time is held;
// this adds the minutes left, and tells a screen reader user once when two minutes remain
// and when the time has run out (not every second, which would drown everything else).
const notice = document.getElementById("hold-notice");
const counter = document.getElementById("hold-countdown");
const announce = document.getElementById("hold-announce");

if (notice && counter && announce) {
  const expires = Date.parse(notice.dataset.expires);
  const texts = notice.dataset;
  let warned = false;
  let timer = 0;

  const format = (seconds) => {
    const minutes = Math.floor(seconds / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    return `${minutes}:${rest}`;
  };

  const tick = () => {
    const left = Math.max(0, Math.round((expires - Date.now()) / 1000));
    counter.textContent = texts.left.replace("%s", format(left));
    if (left <= 120 && !warned) {
      warned = true;
      counter.classList.add("hold-warning");
      announce.textContent = texts.warning;
    }
    if (left === 0) {
      window.clearInterval(timer);
      counter.textContent = texts.expired;
      announce.textContent = texts.expired;
    }
  };

  if (!Number.isNaN(expires)) {
    counter.hidden = false;
    tick();
    timer = window.setInterval(tick, 1000);
  }
}
