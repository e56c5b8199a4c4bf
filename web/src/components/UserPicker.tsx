import { useEffect, useId, useState } from 'react';
import { listUsersForPicker, matchUsers, type UserSummary } from '../api/users.ts';

/**
 * A user typed by name, with suggestions (the ARIA 1.2 combobox pattern: arrow keys move, Enter
 * picks, Escape closes). `onChange` gets the picked user, or null while the text names none.
 * The caller renders the `<label htmlFor={id}>` (so the picker fits a label/field grid).
 */
export function UserPicker({
  id,
  label,
  value,
  onChange,
  error,
}: {
  id: string;
  label: string;
  value: UserSummary | null;
  onChange(user: UserSummary | null, text: string): void;
  error?: string;
}) {
  const [users, setUsers] = useState<UserSummary[]>([]);
  const [text, setText] = useState(value?.name ?? '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const errorId = useId();

  useEffect(() => {
    listUsersForPicker().then(setUsers, () => setUsers([]));
  }, []);
  useEffect(() => {
    if (value) setText(value.name);
  }, [value]);

  const hits = matchUsers(users, text);
  const pick = (u: UserSummary) => {
    setText(u.name);
    setOpen(false);
    onChange(u, u.name);
  };
  const type = (t: string) => {
    setText(t);
    setOpen(true);
    setActive(0);
    // A name typed in full picks its user when only one user has it.
    const exact = users.filter((u) => u.name.toLowerCase() === t.trim().toLowerCase());
    onChange(exact.length === 1 ? exact[0]! : null, t);
  };

  return (
    <div className="combobox">
      <input
        id={id}
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={open && hits.length > 0}
        aria-controls={listId}
        aria-activedescendant={open && hits[active] ? `${listId}-${active}` : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        placeholder="Type a name or email"
        value={text}
        onChange={(e) => type(e.target.value)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            setActive((a) => Math.min(a + 1, hits.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter' && open && hits[active]) {
            e.preventDefault();
            pick(hits[active]);
          } else if (e.key === 'Escape') setOpen(false);
        }}
      />
      {open && hits.length > 0 && (
        <div id={listId} role="listbox" aria-label={`${label} suggestions`} className="suggestions">
          {hits.map((u, i) => (
            <div
              key={u.id}
              tabIndex={-1}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(u);
              }}
            >
              {u.name} <small>{u.email}</small>
            </div>
          ))}
        </div>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
