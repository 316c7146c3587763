import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { runGate } from '../../../gate/gate';
import { KubeObject, Manifest, objectId } from '../../../gate/manifest';
import { RULES } from '../../../gate/policy';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'policy');

interface Op {
  set?: { object: string; path: string; value: unknown };
  delete?: { object: string; path: string };
  add?: { doc: KubeObject };
  remove?: { object: string };
}
interface Case {
  rule: string;
  object: string;
  path: string;
  bad: Op[];
  good?: Op[];
  /** Findings of other rules the violation implies. */
  also?: string[];
}

function loadBase(): KubeObject[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(FIXTURES, 'base.yaml'), 'utf8'), { merge: true }).map((d) => d.toJS());
}

/** `a.b[0]["x.y"]` -> ['a', 'b', 0, 'x.y'] */
function segments(p: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]+)"\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(p))) {
    out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
  }
  return out;
}

function apply(objects: KubeObject[], ops: Op[]): KubeObject[] {
  let out = structuredClone(objects);
  const find = (id: string): KubeObject => {
    const o = out.find((x) => objectId(x) === id);
    if (!o) throw new Error(`fixture has no ${id}`);
    return o;
  };
  for (const op of ops) {
    if (op.set || op.delete) {
      const { object, path: p } = (op.set ?? op.delete)!;
      const segs = segments(p);
      let node: Record<string | number, unknown> = find(object) as never;
      for (const s of segs.slice(0, -1)) {
        node[s] ??= {};
        node = node[s] as never;
      }
      const last = segs[segs.length - 1];
      if (op.set) {
        node[last] = structuredClone(op.set.value);
      } else if (Array.isArray(node)) {
        node.splice(last as number, 1);
      } else {
        delete node[last];
      }
    } else if (op.add) {
      out.push(structuredClone(op.add.doc));
    } else if (op.remove) {
      find(op.remove.object);
      out = out.filter((x) => objectId(x) !== op.remove!.object);
    }
  }
  return out;
}

function gate(objects: KubeObject[]): ReturnType<typeof runGate> {
  const manifests: Manifest[] = objects.map((obj) => ({ file: 'fixture.yaml', obj }));
  return runGate(manifests);
}

const cases = YAML.parse(fs.readFileSync(path.join(FIXTURES, 'cases.yaml'), 'utf8')) as Case[];
const base = loadBase();

describe('policy rules', () => {
  test('the base fixture passes every rule and schema', () => {
    expect(gate(base).problems).toEqual([]);
  });

  test('digest pins are counted as the best pins, tags as acceptable', () => {
    expect(gate(base).imagePins).toEqual({ digest: 1, tag: 2 });
  });

  test('every rule has a case', () => {
    expect(cases.map((c) => c.rule).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  describe.each(cases.map((c) => [c.rule, c] as const))('%s', (rule, c) => {
    test('fires on the violating object with its id and path, and nothing else fires', () => {
      const problems = gate(apply(base, c.bad)).problems;
      expect(problems.map((p) => `${p.object} ${p.path} ${p.rule}`).sort()).toEqual([`${c.object} ${c.path} ${rule}`, ...(c.also ?? [])].sort());
      expect(problems.find((p) => p.rule === rule)!.message.length).toBeGreaterThan(10);
    });
    if (c.good) {
      test('passes the compliant variant', () => {
        expect(gate(apply(base, c.good!)).problems).toEqual([]);
      });
    }
  });

  test('exemptions with a reason are listed, not reported', () => {
    const c = cases.find((x) => x.rule === 'policy.exemption-reason')!;
    const result = gate(apply(base, c.good!));
    expect(result.problems).toEqual([]);
    expect(result.exemptions).toEqual([
      {
        file: 'fixture.yaml',
        object: 'StatefulSet/shop/cache',
        rule: 'sec.read-only-root-fs',
        reason: 'the legacy image writes /etc/redis at start',
      },
    ]);
  });

  test('the gate collects every problem of a broken environment at once', () => {
    const all = cases.filter((c) => !c.rule.startsWith('policy.') && c.rule !== 'hyg.namespace');
    const broken = all.reduce((objs, c) => {
      try {
        return apply(objs, c.bad);
      } catch {
        return objs; // a case that removed what a later case edits
      }
    }, base);
    const fired = new Set(gate(broken).problems.map((p) => p.rule));
    expect(fired.size).toBeGreaterThan(40);
  });
});
