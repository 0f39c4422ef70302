/** The API's refusal of a change, shown where the change was asked for (its message as the API wrote it). */
export function Refusal({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="state error" role="alert">
      {message}
    </p>
  );
}
