export function NotYet({ title }: { title: string }) {
  return (
    <>
      <h1>{title}</h1>
      <p className="empty">Not yet available in this version.</p>
    </>
  );
}
