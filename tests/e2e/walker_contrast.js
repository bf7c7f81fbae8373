// The contrast of a text axe could not decide, from the colours actually painted: the text's
// colour (its fill in SVG) over what lies under it at a few points of its box (elementsFromPoint:
// its own background, then backgrounds and SVG shapes below, blended down to the white canvas).
// Background images are not painted in: axe's "bgImage" cases are select boxes, whose image is
// the arrow drawn beside the text (docs/accessibility.md).
(selectors => {
  const parse = text => {
    const m = /rgba?\(([^)]+)\)/.exec(text || '');
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const luminance = c => [c.r, c.g, c.b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const hex = c => '#' + [c.r, c.g, c.b]
    .map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
  const SHAPES = ['rect', 'path', 'circle', 'ellipse', 'polygon'];
  const paint = el => {
    const style = getComputedStyle(el);
    if (el instanceof SVGElement) {
      if (!SHAPES.includes(el.tagName.toLowerCase())) return null;
      const fill = parse(style.fill);
      if (fill) fill.a *= Number(style.fillOpacity) * Number(style.opacity);
      return fill && fill.a > 0 ? fill : null;
    }
    const background = parse(style.backgroundColor);
    return background && background.a > 0 ? background : null;
  };
  // What is painted under el at (x, y), or null where el is not (out of the viewport, or hidden
  // there by something over it).
  const under = (el, x, y) => {
    const stack = document.elementsFromPoint(x, y);
    const at = stack.findIndex(found => found === el || el.contains(found));
    if (at < 0) return null;
    const layers = [];
    for (const below of [el, ...stack.slice(at + 1).filter(found => !el.contains(found))]) {
      const colour = paint(below);
      if (colour) layers.push(colour);
      if (colour && colour.a >= 1) break;
    }
    return layers.reverse().reduce((colour, layer) => over(layer, colour),
                                   {r: 255, g: 255, b: 255, a: 1});
  };
  const results = selectors.map(selector => {
    const el = document.querySelector(selector);
    if (!el) return null;
    el.scrollIntoView({block: 'center', inline: 'nearest', behavior: 'instant'});
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
    // Three points on the middle line of each of the first line boxes (an inline element may
    // wrap over several lines).
    const points = [...el.getClientRects()].slice(0, 3).flatMap(box => [0.1, 0.5, 0.9].map(
      share => [box.left + box.width * share, box.top + box.height / 2]));
    let worst = null;
    for (const [x, y] of points) {
      const background = under(el, x, y);
      if (!background) continue;
      const text = parse(el instanceof SVGElement ? style.fill : style.color)
        || {r: 0, g: 0, b: 0, a: 1};
      const found = {
        ratio: ratio(over(text, background), background), fg: hex(text), bg: hex(background)};
      if (!worst || found.ratio < worst.ratio) worst = found;
    }
    return worst && {...worst, required: large ? 3 : 4.5, tag: el.tagName.toLowerCase()};
  });
  window.scrollTo({top: 0, left: 0, behavior: 'instant'});  // as axe found it
  return results;
})
