// A text field with suggestions as an ARIA 1.2 combobox (list autocomplete): arrows move through
// the options, Enter picks the active one (and never submits the form), Escape closes the list.
let counter = 0;

/**
 * search(text) resolves to options; label(option) is its text; onPick(option) is called with the
 * chosen one; onMiss() when Enter finds nothing; announce(n) gives the live text for n options.
 */
export function setupCombobox({ input, list, search, label, onPick, onMiss, onInput = () => {}, announce }) {
  const live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  input.insertAdjacentElement("afterend", live);
  const prefix = `${list.id}-opt-${++counter}`;
  let options = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function render() {
    list.innerHTML = "";
    options.forEach((opt, i) => {
      const li = document.createElement("li");
      li.id = `${prefix}-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === active));
      li.textContent = label(opt);
      // mousedown, not click: the input keeps its focus.
      li.addEventListener("mousedown", (ev) => {
        ev.preventDefault();
        pick(i);
      });
      list.append(li);
    });
    if (options.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } else close();
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", `${prefix}-${active}`);
      list.children[active].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }

  function pick(i) {
    const opt = options[i];
    if (!opt) return;
    input.value = label(opt);
    close();
    onPick(opt);
  }

  async function refresh() {
    const text = input.value.trim();
    const mine = ++asked;
    const found = text.length >= 2 ? await search(text) : [];
    if (mine !== asked) return [];
    options = found;
    active = -1;
    render();
    live.textContent = text.length >= 2 ? announce(options.length) : "";
    return options;
  }

  input.addEventListener("input", () => {
    onInput();
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  input.addEventListener("keydown", async (ev) => {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (list.hidden) await refresh();
      if (!options.length) return;
      const step = ev.key === "ArrowDown" ? 1 : -1;
      active = (active + step + options.length) % options.length;
      render();
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      if (active >= 0) return pick(active);
      clearTimeout(timer);
      if (!input.value.trim()) return;
      const found = await refresh();
      if (found.length === 1) pick(0);
      else if (!found.length) onMiss();
    } else if (ev.key === "Escape") {
      if (!list.hidden) {
        ev.preventDefault();
        close();
      }
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}
