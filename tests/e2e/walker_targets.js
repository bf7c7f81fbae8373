// Controls a thumb cannot use on a phone: those outside the viewport (and not inside a box that
// scrolls sideways, such as .table-responsive) and those smaller than 24 x 24 px (WCAG 2.5.8's
// minimum) with another control within the 24 px square around their centre. Links inside a
// sentence are exempt, as 2.5.8 says; a check box or radio counts with its label.
(() => {
  const width = window.innerWidth;
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, ' +
    '[role="button"], [tabindex]:not([tabindex="-1"])';
  const visible = el => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('.visually-hidden, [hidden], .d-none')) return false;
    return !(box.width <= 1 && box.height <= 1);
  };
  const scrollsSideways = el => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return true;
    }
    return false;
  };
  const area = el => {
    const box = el.getBoundingClientRect();
    const label = (el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels[0];
    if (!label) return box;
    const other = label.getBoundingClientRect();
    const left = Math.min(box.left, other.left), top = Math.min(box.top, other.top);
    const right = Math.max(box.right, other.right), bottom = Math.max(box.bottom, other.bottom);
    return {left, top, right, bottom, width: right - left, height: bottom - top};
  };
  const inSentence = el => el.tagName === 'A' && getComputedStyle(el).display === 'inline';
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].slice(0, 2).map(c => '.' + c).join('') +
    ` "${(el.textContent || el.getAttribute('aria-label') || el.value || '').trim().slice(0, 30)}"`;
  const controls = [...document.querySelectorAll(selector)].filter(visible);
  const boxes = controls.map(area);
  const problems = [];
  controls.forEach((el, index) => {
    const box = boxes[index];
    if ((box.left < -1 || box.right > width + 1) && !scrollsSideways(el)) {
      problems.push(`${name(el)} out of reach (${Math.round(box.left)} to ${Math.round(box.right)} px)`);
      return;
    }
    if (box.width >= 24 && box.height >= 24 || inSentence(el)) return;
    const cx = (box.left + box.right) / 2, cy = (box.top + box.bottom) / 2;
    const crowded = boxes.some((other, j) => j !== index && !controls[j].contains(el) &&
      !el.contains(controls[j]) && other.left < cx + 12 && other.right > cx - 12 &&
      other.top < cy + 12 && other.bottom > cy - 12);
    if (crowded) {
      problems.push(`${name(el)} is ${Math.round(box.width)} x ${Math.round(box.height)} px with a neighbour within 24 px`);
    }
  });
  return problems.slice(0, 10);
})()
