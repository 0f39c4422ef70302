import type { PackageFile } from '../types';

type Provenance = NonNullable<PackageFile['provenance']>[number];

const KIND_LABEL: Record<Provenance['kind'], string> = { sigstore_bundle: 'Sigstore bundle', pep740_attestation: 'PEP 740 attestation' };

/**
 * One "Provenance" line per document published with a file: what the statement asserts
 * (predicate type), about which artifact (subject and digest), the document's own SHA-256, and a
 * link to it as the format's clients fetch it. Trove checked its structure and subject, not its
 * signature (docs/api.md#provenance): the line says what was published, verification is the reader's.
 */
export function FileProvenance(props: { file: PackageFile }) {
  const documents = props.file.provenance ?? [];
  if (documents.length === 0) return null;
  return (
    <ul className="provenance" aria-label={`Provenance of ${props.file.file_name}`}>
      {documents.map((doc) => (
        <li key={doc.sha256}>
          <strong>Provenance</strong> ({KIND_LABEL[doc.kind]}): <code>{doc.predicate_type}</code>
          {doc.subjects.map((subject) => (
            <div key={subject.name} className="small">
              Subject {subject.name}{' '}
              {Object.entries(subject.digest).map(([algorithm, digest]) => (
                <code key={algorithm} className="hash">
                  {algorithm}:{digest}
                </code>
              ))}
            </div>
          ))}
          <div className="small">
            Document SHA-256 <code className="hash">{doc.sha256}</code>
            {doc.url && (
              <>
                {' '}
                · <a href={doc.url}>view document</a>
              </>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
