import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { UserError } from '../../errors.js';

/** One AppLocker rule as the policy XML writes it, before any judgement. */
interface RawAppLockerRule {
  element: 'FilePathRule' | 'FilePublisherRule' | 'FileHashRule';
  id: string;
  name: string;
  sid: string;
  action: string;
  conditions: string[];
  exceptions: string[];
  /** For path rules, the path patterns of conditions and exceptions, kept apart from publisher and hash ones. */
  pathConditions: string[];
  pathExceptions: string[];
}

interface RawAppLockerCollection {
  type: string;
  enforcementMode: string;
  rules: RawAppLockerRule[];
}

export interface RawAppLockerPolicy {
  version: string;
  collections: RawAppLockerCollection[];
}

const RULE_ELEMENTS = ['FilePathRule', 'FilePublisherRule', 'FileHashRule'] as const;
const ALWAYS_ARRAYS = new Set([
  'RuleCollection',
  ...RULE_ELEMENTS,
  'FilePathCondition',
  'FilePublisherCondition',
  'FileHashCondition',
  'FileHash',
]);

/** DOCTYPE and ENTITY declarations are how entity-expansion and external-entity attacks start; policies never have them. */
const HOSTILE = /<!\s*(DOCTYPE|ENTITY)/i;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Entities stay off: only the five predefined ones are decoded, by hand, below.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  isArray: (name) => ALWAYS_ARRAYS.has(name),
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|lt|gt|amp|quot|apos);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[name.toLowerCase()] ?? whole;
  });
}

type Node = Record<string, unknown>;

function attr(node: unknown, name: string): string {
  const value = node && typeof node === 'object' ? (node as Node)[`@${name}`] : undefined;
  return typeof value === 'string' ? decodeEntities(value) : '';
}

function list(node: unknown, name: string): Node[] {
  const value = node && typeof node === 'object' ? (node as Node)[name] : undefined;
  return Array.isArray(value) ? (value as Node[]) : [];
}

/** Conditions as short readable strings, plus the path patterns among them. */
function readConditions(container: unknown): { all: string[]; paths: string[] } {
  const all: string[] = [];
  const paths: string[] = [];
  for (const c of list(container, 'FilePathCondition')) {
    const path = attr(c, 'Path');
    all.push(path);
    paths.push(path);
  }
  for (const c of list(container, 'FilePublisherCondition')) {
    const range = (c as Node).BinaryVersionRange;
    const versions = range ? ` [${attr(range, 'LowSection') || '*'}..${attr(range, 'HighSection') || '*'}]` : '';
    all.push(`${attr(c, 'PublisherName')}/${attr(c, 'ProductName')}/${attr(c, 'BinaryName')}${versions}`);
  }
  for (const c of list(container, 'FileHashCondition')) {
    for (const hash of list(c, 'FileHash')) all.push(attr(hash, 'SourceFileName') || `${attr(hash, 'Type')} hash`);
  }
  return { all, paths };
}

/**
 * Parses `Get-AppLockerPolicy -Xml` output. A DOCTYPE or entity declaration is refused outright, malformed XML is a
 * UserError with its line, and a document whose root is not AppLockerPolicy is not a policy.
 */
export function parseAppLockerXml(text: string, file: string): RawAppLockerPolicy {
  if (HOSTILE.test(text)) {
    throw new UserError(
      'XML with a DOCTYPE or ENTITY declaration is refused (entity expansion and external entities are attack vectors)',
      {
        where: file,
        hint: 'export the policy again with `Get-AppLockerPolicy -Effective -Xml`; it never contains a DOCTYPE',
      },
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new UserError(`malformed XML: ${valid.err.msg}`, {
      where: `${file}:${valid.err.line}:${valid.err.col}`,
      hint: 'the export looks damaged; export it again',
    });
  }
  const document = parser.parse(text) as Node;
  const root = document.AppLockerPolicy;
  if (root === undefined) {
    const found = Object.keys(document).find((k) => !k.startsWith('?') && !k.startsWith('#')) ?? 'nothing';
    throw new UserError(`not an AppLocker policy: the root element is <${found}>, not <AppLockerPolicy>`, {
      where: file,
      hint: 'pass the output of `Get-AppLockerPolicy -Effective -Xml`',
    });
  }
  const collections = list(root, 'RuleCollection').map((collection) => {
    const rules: RawAppLockerRule[] = [];
    for (const element of RULE_ELEMENTS) {
      for (const rule of list(collection, element)) {
        const conditions = readConditions(rule.Conditions);
        const exceptions = readConditions(rule.Exceptions);
        rules.push({
          element,
          id: attr(rule, 'Id'),
          name: attr(rule, 'Name'),
          sid: attr(rule, 'UserOrGroupSid'),
          action: attr(rule, 'Action'),
          conditions: conditions.all,
          exceptions: exceptions.all,
          pathConditions: conditions.paths,
          pathExceptions: exceptions.paths,
        });
      }
    }
    return {
      type: attr(collection, 'Type'),
      enforcementMode: attr(collection, 'EnforcementMode') || 'NotConfigured',
      rules,
    };
  });
  return { version: attr(root, 'Version'), collections };
}

/** Cheap content sniffing for import: does this text look like an AppLocker policy (or a hostile XML posing as one)? */
export function looksLikeXml(text: string): boolean {
  return /^\s*</.test(text);
}
