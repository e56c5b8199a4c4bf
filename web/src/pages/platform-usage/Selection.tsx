import { useState } from 'react';

/** OAuth Client Settings / URL Request Settings: which clients or URLs the section's graphs and tables show. */
export function Selection({
  title,
  options,
  selected,
  onSave,
  onReset,
}: {
  title: string;
  options: { key: string; label: string }[];
  selected: string[] | null;
  onSave(keys: string[]): void;
  onReset(): void;
}) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<string[]>([]);
  return (
    <>
      <button
        type="button"
        onClick={() => {
          setDraft(selected ?? options.map((o) => o.key));
          setOpen(!open);
        }}
      >
        {title}
      </button>
      {selected && (
        <button type="button" onClick={onReset}>
          Reset {title}
        </button>
      )}
      {open && (
        <fieldset aria-label={title}>
          {options.length === 0 && <p className="empty">Nothing to select in this period.</p>}
          {options.map((o) => (
            <label key={o.key} style={{ display: 'block' }}>
              <input
                type="checkbox"
                checked={draft.includes(o.key)}
                onChange={(e) => setDraft(e.target.checked ? [...draft, o.key] : draft.filter((k) => k !== o.key))}
              />
              {o.label}
            </label>
          ))}
          <button
            type="button"
            onClick={() => {
              onSave(draft);
              setOpen(false);
            }}
          >
            Save selections
          </button>
        </fieldset>
      )}
    </>
  );
}
