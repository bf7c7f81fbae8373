// How far the document is wider than the viewport, and the elements to blame: those sticking out
// of the viewport and not clipped by a scrolling or hidden-overflow box (a wide table inside
// .table-responsive), whose parent is not itself to blame.
(() => {
  const width = window.innerWidth;
  const excess = document.documentElement.scrollWidth - width;
  if (excess <= 0) return [excess, []];
  // An overflow box clips an element only if it contains the element's containing block: an
  // absolutely placed element escapes the boxes between it and its nearest positioned ancestor.
  const clipped = el => {
    let position = getComputedStyle(el).position;
    if (position === 'fixed') return true; // never widens the document
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      const positioned = style.position !== 'static' || style.transform !== 'none';
      if (position === 'absolute' && !positioned) continue;
      if (style.overflowX !== 'visible') return true;
      position = style.position === 'fixed' ? 'fixed' : style.position;
      if (position === 'fixed') return true;
      if (position !== 'absolute') position = 'static';
    }
    return false;
  };
  const sticksOut = el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && !clipped(el);
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].slice(0, 2).map(c => '.' + c).join('');
  const path = el => [el.parentElement?.parentElement, el.parentElement, el]
    .filter(e => e && e !== document.body && e !== document.documentElement).map(name)
    .join(' > ');
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || sticksOut(el.parentElement)) continue;
    const right = Math.round(el.getBoundingClientRect().right);
    culprits.push(`${path(el)} (right edge at ${right} px)`);
    if (culprits.length === 5) break;
  }
  return [excess, culprits];
})
