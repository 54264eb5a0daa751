/**
 * A strict reader for the XML the JUnit writer emits (elements, attributes, text, the five entities), so a test can
 * parse junit.xml back without a parser dependency. Anything malformed throws: unbalanced tags, a bare `<` or `&`,
 * an unknown entity, an unquoted attribute, a character XML 1.0 forbids.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(raw))
    throw new Error(`forbidden control character near offset ${where}`);
  if (raw.includes('<')) throw new Error(`bare "<" near offset ${where}`);
  return raw.replace(/&([^;]*);?/g, (match, name: string) => {
    const value = entities[name];
    if (value === undefined || !match.endsWith(';'))
      throw new Error(`bad entity "${match.slice(0, 12)}" near offset ${where}`);
    return value;
  });
}

export function parseXml(text: string): XmlElement {
  let at = 0;
  const declaration = /^<\?xml [^?]*\?>\s*/.exec(text);
  if (declaration) at = declaration[0].length;
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  while (at < text.length) {
    const top = stack[stack.length - 1]!;
    if (text[at] !== '<') {
      const end = text.indexOf('<', at);
      const raw = text.slice(at, end === -1 ? text.length : end);
      if (stack.length === 1 && raw.trim() !== '') throw new Error(`text outside the root element at offset ${at}`);
      top.text += decode(raw, at);
      at = end === -1 ? text.length : end;
      continue;
    }
    if (text.startsWith('</', at)) {
      const match = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(text.slice(at));
      if (!match || match[1] !== top.name)
        throw new Error(`unexpected closing tag at offset ${at}, open element is <${top.name}>`);
      stack.pop();
      at += match[0].length;
      continue;
    }
    const match = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*"[^"]*")*)\s*(\/?)>/.exec(text.slice(at));
    if (!match) throw new Error(`malformed tag at offset ${at}: ${text.slice(at, at + 40)}`);
    const element: XmlElement = { name: match[1]!, attributes: {}, children: [], text: '' };
    for (const [, key, value] of match[2]!.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"/g)) {
      if (key! in element.attributes) throw new Error(`duplicate attribute ${key} at offset ${at}`);
      element.attributes[key!] = decode(value!, at);
    }
    if (stack.length === 1 && root.children.length > 0) throw new Error('more than one root element');
    top.children.push(element);
    if (match[3] !== '/') stack.push(element);
    at += match[0].length;
  }
  if (stack.length !== 1) throw new Error(`unclosed element <${stack[stack.length - 1]!.name}>`);
  const [document] = root.children;
  if (!document) throw new Error('no root element');
  return document;
}

export function descendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...descendants(child, name)]);
}
