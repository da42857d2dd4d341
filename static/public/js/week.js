// The week of free times on a narrow screen: the day picker becomes tabs and one day is
// shown at a time, so the page fits a phone and a keyboard user reaches Friday with the
// arrow keys instead of tabbing through every time. On a wide screen the whole week stays
// side by side and the picker's links jump to a day. Without scripts the links jump too.

const picker = document.querySelector(".day-picker");
const narrow = window.matchMedia("(max-width: 63.99rem)");

function setUp(nav) {
  const list = nav.querySelector("ul");
  const links = [...nav.querySelectorAll("a.day-link")];
  const days = links.map((link) => document.getElementById(link.hash.slice(1)));
  const usable = (i) => !links[i].classList.contains("day-link-past");
  // The first day with free times, else the first day not past, else Monday.
  let current = links.findIndex((link, i) => usable(i) && Number(link.dataset.count) > 0);
  if (current < 0) current = Math.max(0, links.findIndex((_link, i) => usable(i)));

  function show(index, focus) {
    current = index;
    links.forEach((link, i) => {
      const selected = i === index;
      link.setAttribute("aria-selected", String(selected));
      link.tabIndex = selected ? 0 : -1;
      days[i].hidden = !selected;
    });
    if (focus) links[index].focus();
  }

  function asTabs(on) {
    if (on) list.setAttribute("role", "tablist");
    else list.removeAttribute("role");
    links.forEach((link, i) => {
      const item = link.parentElement;
      if (on) {
        item.setAttribute("role", "presentation");
        link.setAttribute("role", "tab");
        link.setAttribute("aria-controls", days[i].id);
        days[i].setAttribute("role", "tabpanel");
        days[i].setAttribute("aria-labelledby", link.id);
      } else {
        item.removeAttribute("role");
        for (const name of ["role", "aria-controls", "aria-selected", "tabindex"]) {
          link.removeAttribute(name);
        }
        days[i].removeAttribute("role");
        days[i].removeAttribute("aria-labelledby");
        days[i].hidden = false;
      }
    });
    nav.closest(".week").classList.toggle("week-tabs", on);
    if (on) show(current, false);
  }

  links.forEach((link, i) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      if (narrow.matches) {
        show(i, true);
        return;
      }
      // Wide: go to the day and start the keyboard there.
      const heading = days[i].querySelector("h3");
      heading.scrollIntoView({ block: "start" });
      heading.focus({ preventScroll: true });
    });
    link.addEventListener("keydown", (event) => {
      if (!narrow.matches) return;
      const last = links.length - 1;
      const moves = {
        ArrowRight: Math.min(last, i + 1),
        ArrowLeft: Math.max(0, i - 1),
        Home: 0,
        End: last,
      };
      if (event.key in moves) {
        event.preventDefault();
        show(moves[event.key], true);
      }
    });
  });

  asTabs(narrow.matches);
  narrow.addEventListener("change", () => asTabs(narrow.matches));
}

if (picker) setUp(picker);
