/**
 * A tiny XML writer for ClickHouse configuration files: elements, attributes (`from_env`,
 * `replace`, `remove`) and escaped text. Nothing is pasted in unescaped.
 */
export type XmlChild = XmlNode | string | number | boolean;

export interface XmlNode {
  readonly tag: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly children?: readonly XmlChild[];
}

const TAG = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** An element; `children` are elements or one text value. */
export function el(tag: string, ...children: XmlChild[]): XmlNode {
  return { tag, children };
}

/** An element with attributes. */
export function elAttrs(tag: string, attrs: Record<string, string>, ...children: XmlChild[]): XmlNode {
  return { tag, attrs, children };
}

/** An empty element whose value is read from an environment variable when the server loads the file. */
export function fromEnv(tag: string, variable: string): XmlNode {
  return { tag, attrs: { from_env: variable } };
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function render(node: XmlNode, indent: string): string {
  if (!TAG.test(node.tag)) {
    throw new Error(`xml: "${node.tag}" is not an element name`);
  }
  const attrs = Object.entries(node.attrs ?? {})
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const children = node.children ?? [];
  if (children.length === 0) {
    return `${indent}<${node.tag}${attrs}/>`;
  }
  if (children.length === 1 && typeof children[0] !== 'object') {
    return `${indent}<${node.tag}${attrs}>${escapeXml(String(children[0]))}</${node.tag}>`;
  }
  const inner = children.map((c) => (typeof c === 'object' ? render(c, `${indent}  `) : `${indent}  ${escapeXml(String(c))}`)).join('\n');
  return `${indent}<${node.tag}${attrs}>\n${inner}\n${indent}</${node.tag}>`;
}

/** A whole file: the XML declaration, a comment and one root, `<clickhouse>` (ClickHouse >= 21.x; older servers want `<yandex>`). */
export function xmlFile(comment: string, children: readonly XmlNode[], root = 'clickhouse'): string {
  return `<?xml version="1.0"?>\n<!-- ${comment.replace(/--/g, '- -')} -->\n${render(el(root, ...children), '')}\n`;
}
