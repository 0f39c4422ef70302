import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { renderAuditEventsDoc } from './event-catalog-doc.js';
import { AUDIT_EVENT_NAMES, AUDIT_EVENTS, auditEventLabel, auditEventsByCategory, followsPackageSetting, isAuditEventName } from './event-catalog.js';

// The catalog against the code: every name the code hands to the recorder is in the catalog, and
// every name in the catalog is recorded somewhere. "Hands to the recorder" is decided by the
// compiler: a string literal whose contextual type is made of catalog names (AuditEventInput's
// eventName, a helper's parameter typed with AuditEventName, `satisfies AuditEventName`, or a cast
// to it) is a recorded name. A cast cannot sneak an unknown name past this test.

const SRC = path.resolve(import.meta.dirname, '../..');
const CATALOG_FILE = path.join(SRC, 'core/audit/event-catalog.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts') ? [file] : [];
  });
}

interface RecordedName {
  name: string;
  where: string;
}

/** Every string literal of src/ (tests and the catalog aside) in a place that takes an event name. */
function recordedNames(): RecordedName[] {
  const files = sourceFiles(SRC);
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const isEventNameType = (type: ts.Type): boolean => {
    const parts = type.isUnion() ? type.types : [type];
    return parts.length > 0 && parts.every((part) => part.isStringLiteral() && isAuditEventName(part.value));
  };
  const found: RecordedName[] = [];
  for (const file of program.getSourceFiles()) {
    if (!files.includes(path.resolve(file.fileName)) || path.resolve(file.fileName) === CATALOG_FILE) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        const contextual = checker.getContextualType(node);
        if (contextual && isEventNameType(contextual)) {
          const { line } = file.getLineAndCharacterOfPosition(node.getStart());
          found.push({ name: node.text, where: `${path.relative(SRC, file.fileName)}:${line + 1}` });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

describe('audit event catalog', () => {
  const recorded = recordedNames();

  it('has every name the code records', () => {
    const unknown = recorded.filter((r) => !isAuditEventName(r.name));
    assert.deepEqual(unknown, [], 'recorded names missing from src/core/audit/event-catalog.ts');
  });

  it('lists only names the code records', () => {
    const names = new Set(recorded.map((r) => r.name));
    assert.deepEqual(
      AUDIT_EVENT_NAMES.filter((name) => !names.has(name)),
      [],
      'catalog names nothing in src/ records',
    );
  });

  it('finds the recorded names where they are computed too (ternaries, helpers, constants)', () => {
    const names = new Set(recorded.map((r) => r.name));
    for (const name of ['user_admin_revoked', 'package_registry_package_undeprecated', 'package_registry_package_tag_updated', 'audit_event_streaming_destination_deleted', 'package_registry_package_downloaded', 'member_access_level_changed']) {
      assert.ok(names.has(name), name);
    }
  });

  it('governs exactly the package and container image events by the package_audit_events setting', () => {
    // docs/architecture.md#scope-and-visibility: credential, settings, export and authentication events are always recorded.
    const governed = AUDIT_EVENT_NAMES.filter(followsPackageSetting);
    assert.deepEqual(governed, AUDIT_EVENT_NAMES.filter((name) => name.startsWith('package_registry_package_') || name.startsWith('container_registry_')));
    assert.equal(followsPackageSetting('package_registry_audit_settings_updated'), false);
    assert.equal(followsPackageSetting('not_an_event'), false);
  });

  it('gives every event a distinct label, and shows an unknown stored name as it is', () => {
    const labels = AUDIT_EVENT_NAMES.map((name) => AUDIT_EVENTS[name].label);
    assert.equal(new Set(labels).size, labels.length);
    assert.equal(auditEventLabel('authentication_failed'), 'Sign-in or token refused');
    assert.equal(auditEventLabel('some_retired_event'), 'some_retired_event');
  });

  it('keeps each category together, in the order of the category labels (the filter and the docs read in groups)', () => {
    assert.deepEqual(auditEventsByCategory().flatMap((group) => group.names), AUDIT_EVENT_NAMES);
    assert.ok(auditEventsByCategory().every((group) => group.names.length > 0));
  });

  it('imports at run time only the list of names, which imports nothing, so the web UI bundles it without Node', () => {
    const importsOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter((line) => /^import\b/.test(line));
    const imports = importsOf(CATALOG_FILE).filter((line) => !line.startsWith('import type '));
    assert.deepEqual(imports, [`import { AUDIT_EVENT_NAMES, type AuditEventName } from '../../contracts/audit-event-names.js';`]);
    assert.deepEqual(importsOf(path.join(SRC, 'contracts/audit-event-names.ts')), []);
  });

  it('is what docs/audit-events.md says (npm run docs:events rewrites it)', () => {
    const committed = readFileSync(path.join(SRC, '../docs/audit-events.md'), 'utf8');
    assert.equal(committed, renderAuditEventsDoc(), 'docs/audit-events.md is out of date: run npm run docs:events');
  });
});
