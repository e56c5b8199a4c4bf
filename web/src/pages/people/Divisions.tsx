import { type FormEvent, useState } from 'react';
import { request } from '../../api/client.ts';
import { PagedTable } from '../../components/PagedTable.tsx';

interface Division {
  id: string;
  name: string;
  description: string;
  homeDivision: boolean;
  objectCounts?: Record<string, number>;
}

/**
 * Divisions (seed 000: "Divisions — assign alongside each role"): list with object counts, add,
 * delete. The API refuses to delete the home division or one still holding objects; its message
 * is shown as it comes.
 */
export function Divisions() {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [version, setVersion] = useState(0);

  async function add(e: FormEvent) {
    e.preventDefault();
    setError('');
    try {
      await request('/api/v2/authorization/divisions', { method: 'POST', body: { name, description } });
      setMessage(`Added ${name}.`);
      setName('');
      setDescription('');
      setVersion(version + 1);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function remove(d: Division) {
    setError('');
    try {
      await request(`/api/v2/authorization/divisions/${d.id}`, { method: 'DELETE' });
      setMessage(`Deleted ${d.name}.`);
      setVersion(version + 1);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <>
      <h1>Divisions</h1>
      <form onSubmit={add} aria-label="Add a division">
        <label htmlFor="division-name">Name</label>
        <input id="division-name" value={name} required maxLength={255} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="division-description">Description</label>
        <input id="division-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <button type="submit" disabled={!name.trim()}>
          Add division
        </button>
      </form>
      {message && <p role="status">{message}</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <PagedTable<Division>
        key={version}
        path="/api/v2/authorization/divisions?objectCount=true"
        empty="No divisions"
        columns={[
          { header: 'Name', cell: (d) => (d.homeDivision ? `${d.name} (home)` : d.name) },
          { header: 'Description', cell: (d) => d.description },
          {
            header: 'Objects',
            cell: (d) =>
              Object.entries(d.objectCounts ?? {})
                .map(([type, n]) => `${type.toLowerCase()}: ${n}`)
                .join(', '),
          },
          {
            header: 'Actions',
            cell: (d) =>
              d.homeDivision ? null : (
                <button type="button" aria-label={`Delete ${d.name}`} onClick={() => remove(d)}>
                  Delete
                </button>
              ),
          },
        ]}
      />
    </>
  );
}
