/** GitLab's offset paging, driven by the X-Page / X-Total-Pages headers of a list response. */
export function Pager({ headers, onPage }: { headers: Headers; onPage: (page: number) => void }) {
  const page = Number(headers.get('x-page') ?? '1');
  const pages = Number(headers.get('x-total-pages') ?? '1');
  const total = headers.get('x-total');
  if (pages <= 1) return total ? <p className="muted small">{total} in total</p> : null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ← Previous
      </button>
      <span>
        Page {page} of {pages} ({total} in total)
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next →
      </button>
    </nav>
  );
}
