import jsQR from 'jsqr';

/**
 * Reads the QR code of a printed page (or an SVG) the way a phone would: the SVG's modules painted
 * into a bitmap, then decoded. Undefined when the SVG is not a readable QR code.
 */
export function decodeQrCode(html: string): string | undefined {
  const svg = /<svg[^>]*>.*?<\/svg>/s.exec(html)?.[0];
  if (!svg) return undefined;
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1]);
  const path = /<path[^>]*\bstroke="[^"]+"[^>]*\bd="([^"]+)"/.exec(svg)?.[1];
  if (!size || !path) return undefined;
  const dark = new Array<boolean>(size * size).fill(false);
  // The renderer draws each row's dark runs: M x y (absolute), m dx dy (relative), h n (run).
  let x = 0;
  let y = 0;
  for (const [, command, args] of path.matchAll(/([MmHh])([^MmHh]*)/g)) {
    const numbers = (args ?? '')
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    const [a = 0, b = 0] = numbers;
    if (command === 'M') [x, y] = [a, b];
    else if (command === 'm') [x, y] = [x + a, y + b];
    else if (command === 'h' || command === 'H') {
      const end = command === 'h' ? x + a : a;
      for (let column = x; column < end; column += 1) {
        dark[Math.floor(y) * size + column] = true;
      }
      x = end;
    }
  }
  const scale = 6;
  const width = size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let row = 0; row < width; row += 1) {
    for (let column = 0; column < width; column += 1) {
      if (dark[Math.floor(row / scale) * size + Math.floor(column / scale)]) {
        const at = (row * width + column) * 4;
        pixels[at] = 0;
        pixels[at + 1] = 0;
        pixels[at + 2] = 0;
      }
    }
  }
  return jsQR(pixels, width, width)?.data;
}
