// Reads a plan file's YAML and validates its shape. Every problem carries a line and column: YAML
// syntax errors from the parser, schema errors by finding the node the zod issue points at (or, for a
// missing field, the object that lacks it).
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { planSchema, type Plan } from './plan-schema.ts';
import { formatPlanPath, type PlanPath, type PlanProblem } from './plan-problem.ts';

export interface PlanSource {
  /** Where a path of the plan is in the file, or the nearest enclosing node that exists. */
  locate(path: PlanPath, at?: 'value' | 'key'): { line: number; column: number } | undefined;
}

export interface ParsedPlan {
  plan: Plan | undefined;
  problems: PlanProblem[];
  source: PlanSource;
}

export function parsePlanText(text: string): ParsedPlan {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, strict: true });
  const source = sourceOf(document, lineCounter);
  const problems: PlanProblem[] = [];

  for (const error of [...document.errors, ...document.warnings]) {
    const position = error.linePos?.[0];
    problems.push({
      ...(position ? { line: position.line, column: position.col } : {}),
      path: '',
      code: 'YAML_SYNTAX',
      message: error.message.split('\n')[0] ?? error.message,
    });
  }
  if (problems.length > 0) return { plan: undefined, problems, source };

  const raw: unknown = document.toJS({ maxAliasCount: 50 });
  const result = planSchema.safeParse(raw);
  if (result.success) return { plan: result.data, problems, source };
  for (const issue of result.error.issues) problems.push(...problemsFromIssue(issue, raw, source));
  return { plan: undefined, problems, source };
}

function problemsFromIssue(issue: z.core.$ZodIssue, raw: unknown, source: PlanSource): PlanProblem[] {
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    // Point at each unknown key itself: usually a typo the reviewer must see.
    return issue.keys.map((key) => ({
      ...source.locate([...path, key], 'key'),
      path: formatPlanPath([...path, key]),
      code: 'SCHEMA' as const,
      message: `unknown field '${key}'`,
    }));
  }
  const missing = valueAt(raw, path) === undefined;
  return [{ ...source.locate(path), path: formatPlanPath(path), code: 'SCHEMA', message: messageFor(issue, missing) }];
}

function messageFor(issue: z.core.$ZodIssue, missing: boolean): string {
  if (missing) return 'required field is missing';
  if (issue.code === 'invalid_value') return `must be ${issue.values.length === 1 ? '' : 'one of: '}${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_union') return 'must be a path, or a list of paths (one per key)';
  return issue.message.replace(/^Invalid input: /, '');
}

function valueAt(raw: unknown, path: PlanPath): unknown {
  let value = raw;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function sourceOf(document: Document, lineCounter: LineCounter): PlanSource {
  return {
    locate(path, at = 'value') {
      // Walk down as far as the path exists; a missing leaf is reported at its parent.
      let node: unknown = document.contents;
      let keyNode: unknown;
      for (const part of path) {
        if (!isNode(node) || !('items' in node)) break;
        if (isMap(node)) {
          const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === part);
          if (!pair) break;
          keyNode = pair.key;
          node = pair.value;
        } else if (typeof part === 'number') {
          const item = (node.items as unknown[])[part];
          if (item === undefined) break;
          keyNode = undefined;
          node = item;
        } else break;
      }
      // An unknown key is more useful located at its name; a value at the value.
      const target = at === 'key' && isNode(keyNode) ? keyNode : isNode(node) ? node : keyNode;
      const offset = isNode(target) ? target.range?.[0] : undefined;
      if (offset === undefined) return undefined;
      const position = lineCounter.linePos(offset);
      return { line: position.line, column: position.col };
    },
  };
}
