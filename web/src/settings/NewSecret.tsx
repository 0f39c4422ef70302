/** A token secret, shown once right after creation (the server keeps only its SHA-256). */
export function NewSecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  return (
    <div className="state ok new-secret" role="status">
      <p>
        Token “{name}” created. Copy it now: it will not be shown again.
      </p>
      <label>
        Token
        <input readOnly value={secret} onFocus={(e) => e.currentTarget.select()} aria-describedby="secret-help" />
      </label>
      <p id="secret-help" className="muted small">
        Store it in your CI secrets or password manager.
      </p>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
