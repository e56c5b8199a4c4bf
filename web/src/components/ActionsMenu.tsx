import { useEffect, useId, useRef, useState } from 'react';

export interface MenuAction {
  label: string;
  onSelect(): void;
  danger?: boolean;
}

/**
 * The ⋮ (More) menu of a table row (WAI-ARIA menu button): Enter, Space or a click opens it on
 * its first item; arrows move, Escape or Tab closes it and focus returns to the button.
 */
export function ActionsMenu({ name, actions }: { name: string; actions: MenuAction[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);
  const box = useRef<HTMLDivElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    items.current[0]?.focus();
    const outside = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const move = (from: number, by: number) => {
    const n = actions.length;
    items.current[(from + by + n) % n]?.focus();
  };

  return (
    <div className="menu" ref={box}>
      <button
        ref={button}
        type="button"
        className="secondary more"
        aria-label={`More actions for ${name}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen(!open)}
      >
        ⋮
      </button>
      {open && (
        <div role="menu" id={id} aria-label={`Actions for ${name}`} className="menu-items">
          {actions.map((a, i) => (
            <button
              key={a.label}
              ref={(el) => {
                items.current[i] = el;
              }}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={a.danger ? 'menu-danger' : undefined}
              onClick={() => {
                setOpen(false);
                a.onSelect();
              }}
              onKeyDown={(e) => {
                if (e.key === 'ArrowDown') move(i, 1);
                else if (e.key === 'ArrowUp') move(i, -1);
                else if (e.key === 'Home') move(-1, 1);
                else if (e.key === 'End') move(0, -1);
                else if (e.key === 'Escape') close();
                else if (e.key === 'Tab') setOpen(false);
                else return;
                if (e.key !== 'Tab') e.preventDefault();
              }}
            >
              {a.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
