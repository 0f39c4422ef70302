import { inflateSync } from 'node:zlib';

// The text of each page of a PDF as Chromium prints it (Skia's writer: classic cross-reference,
// no object streams, FlateDecode content streams, Type0 fonts with ToUnicode maps), with no PDF
// library: the pages in the order of the page tree, each page's content streams inflated, its
// strings mapped through the ToUnicode map of the font selected by `Tf`. Only what these tests
// need: the words on each printed page, runs separated by spaces.

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

function readObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  const header = /(\d+) 0 obj\b/g;
  for (let match = header.exec(text); match; match = header.exec(text)) {
    const start = match.index + match[0].length;
    const end = text.indexOf('endobj', start);
    const streamAt = text.indexOf('stream', start);
    if (streamAt >= 0 && streamAt < end && text.slice(start, streamAt).includes('<<')) {
      const dict = text.slice(start, streamAt);
      let dataStart = streamAt + 'stream'.length;
      if (text[dataStart] === '\r') dataStart++;
      if (text[dataStart] === '\n') dataStart++;
      const length = /\/Length (\d+)(?! \d+ R)/.exec(dict);
      const dataEnd = length ? dataStart + Number(length[1]) : text.indexOf('endstream', dataStart);
      const raw = pdf.subarray(dataStart, dataEnd);
      objects.set(Number(match[1]), { dict, stream: dict.includes('/FlateDecode') ? inflateSync(raw) : raw });
      const after = text.indexOf('endobj', dataEnd);
      header.lastIndex = after;
    } else {
      objects.set(Number(match[1]), { dict: text.slice(start, end), stream: null });
      header.lastIndex = end;
    }
  }
  return objects;
}

const ref = (dict: string, key: string): number | null => {
  const match = new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(dict);
  return match ? Number(match[1]) : null;
};

/** A ToUnicode CMap: character code (as hex) to text, and the code length in bytes. */
interface CMap {
  map: Map<number, string>;
  bytes: number;
}

const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');

function parseCMap(text: string): CMap {
  const map = new Map<number, string>();
  const space = /begincodespacerange\s*<([0-9a-fA-F]+)>/.exec(text);
  const bytes = space ? space[1].length / 2 : 2;
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, code, unicode] of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(parseInt(code, 16), utf16(unicode));
  }
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo, hi, target] of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])/g)) {
      const first = parseInt(lo, 16);
      const last = parseInt(hi, 16);
      if (target.startsWith('[')) {
        const list = [...target.matchAll(/<([0-9a-fA-F]+)>/g)].map((m) => utf16(m[1]));
        for (let code = first; code <= last; code++) map.set(code, list[code - first] ?? '');
      } else {
        const base = Buffer.from(target.slice(1, -1), 'hex');
        for (let code = first; code <= last; code++) {
          const value = Buffer.from(base);
          value.writeUInt16BE(value.readUInt16BE(value.length - 2) + (code - first), value.length - 2);
          map.set(code, value.swap16().toString('utf16le'));
        }
      }
    }
  }
  return { map, bytes };
}

function decode(bytes: Buffer, cmap: CMap | undefined): string {
  if (!cmap) return bytes.toString('latin1');
  let out = '';
  for (let i = 0; i + cmap.bytes <= bytes.length; i += cmap.bytes) out += cmap.map.get(bytes.readUIntBE(i, cmap.bytes)) ?? '';
  return out;
}

function literalBytes(body: string): Buffer {
  const unescaped = body.replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, e: string) => {
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
  });
  return Buffer.from(unescaped, 'latin1');
}

/** The text a content stream shows, with the page's fonts (resource name → CMap). */
function showText(content: string, fonts: Map<string, CMap | undefined>): string {
  const tokens = /\/([^\s/<>[\]()]+)\s+[\d.]+\s+Tf|<([0-9a-fA-F\s]*)>|\(((?:\\.|[^\\)])*)\)|(-?\d+(?:\.\d+)?)|\b(Td|TD|T\*|Tm|ET|')\b/g;
  let font: CMap | undefined;
  let out = '';
  for (const [, fontName, hex, literal, number, move] of content.matchAll(tokens)) {
    if (fontName !== undefined) font = fonts.get(fontName);
    else if (hex !== undefined) out += decode(Buffer.from(hex.replace(/\s/g, ''), 'hex'), font);
    else if (literal !== undefined) out += decode(literalBytes(literal), font);
    else if (number !== undefined && Number(number) < -200) out += ' ';
    else if (move !== undefined) out += ' ';
  }
  return out;
}

function pageFonts(objects: Map<number, PdfObject>, page: PdfObject): Map<string, CMap | undefined> {
  let resources = page.dict;
  const resourcesRef = ref(page.dict, 'Resources');
  if (resourcesRef !== null) resources = objects.get(resourcesRef)?.dict ?? '';
  let fontDict = /\/Font\s*<<([^>]*)>>/.exec(resources)?.[1] ?? '';
  const fontRef = ref(resources, 'Font');
  if (fontRef !== null) fontDict = objects.get(fontRef)?.dict ?? '';
  const fonts = new Map<string, CMap | undefined>();
  for (const [, name, id] of fontDict.matchAll(/\/([^\s/]+)\s+(\d+) 0 R/g)) {
    const toUnicode = ref(objects.get(Number(id))?.dict ?? '', 'ToUnicode');
    const stream = toUnicode === null ? null : objects.get(toUnicode)?.stream;
    fonts.set(name, stream ? parseCMap(stream.toString('latin1')) : undefined);
  }
  return fonts;
}

function pagesInOrder(objects: Map<number, PdfObject>, id: number): number[] {
  const node = objects.get(id);
  if (!node) return [];
  if (/\/Type\s*\/Page\b(?!s)/.test(node.dict)) return [id];
  const kids = /\/Kids\s*\[([^\]]*)\]/.exec(node.dict)?.[1] ?? '';
  return [...kids.matchAll(/(\d+) 0 R/g)].flatMap((m) => pagesInOrder(objects, Number(m[1])));
}

/** The text of each page, in page order. */
export function pdfPages(pdf: Buffer): string[] {
  const objects = readObjects(pdf);
  const catalog = [...objects.values()].find((o) => /\/Type\s*\/Catalog\b/.test(o.dict));
  const root = catalog ? ref(catalog.dict, 'Pages') : null;
  if (root === null) throw new Error('no page tree in the PDF');
  return pagesInOrder(objects, root).map((id) => {
    const page = objects.get(id)!;
    const fonts = pageFonts(objects, page);
    const contents = /\/Contents\s*\[([^\]]*)\]/.exec(page.dict)?.[1] ?? /\/Contents\s+(\d+ 0 R)/.exec(page.dict)?.[1] ?? '';
    return [...contents.matchAll(/(\d+) 0 R/g)]
      .map((m) => objects.get(Number(m[1]))?.stream?.toString('latin1') ?? '')
      .map((content) => showText(content, fonts))
      .join(' ');
  });
}
