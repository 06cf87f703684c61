/** /api: the JSON API's endpoints, read from its OpenAPI document and rendered on the server. */
import { Layout } from './components.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  example?: unknown;
  schema?: { type?: string; enum?: unknown[]; default?: unknown; example?: unknown };
}

interface Operation {
  summary?: string;
  parameters?: Parameter[];
  responses?: Record<string, { description?: string }>;
}

export interface ApiDocument {
  info: { title: string; description?: string };
  paths?: Record<string, Record<string, Operation> | undefined>;
}

function parameterText(parameter: Parameter): string {
  const schema = parameter.schema ?? {};
  const parts = [
    schema.enum ? `one of ${schema.enum.join(', ')}` : schema.type,
    schema.default !== undefined ? `default ${String(schema.default)}` : null,
    (parameter.example ?? schema.example) ? `e.g. ${String(parameter.example ?? schema.example)}` : null,
  ];
  return [parameter.description, ...parts].filter(Boolean).join('; ');
}

export function ApiPage(props: { document: ApiDocument; account: string | null }) {
  const endpoints = Object.entries(props.document.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods ?? {}).map(([method, operation]) => ({ path, method, operation })),
  );
  return (
    <Layout title="API" section="about" account={props.account}>
      <h1>{props.document.info.title}</h1>
      <p>{props.document.info.description}</p>
      <p>
        The machine-readable description: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
        Every answer is JSON, errors too.
      </p>
      {endpoints.map(({ path, method, operation }) => {
        const address = `/api${path}`;
        const parameters = operation.parameters ?? [];
        return (
          <section class="endpoint" aria-labelledby={`ep-${method}-${path}`}>
            <h2 id={`ep-${method}-${path}`}>
              <code>
                {method.toUpperCase()}{' '}
                {method === 'get' && !path.includes('{') ? <a href={address}>{address}</a> : address}
              </code>
            </h2>
            <p>{operation.summary}</p>
            {parameters.length > 0 ? (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Parameter</th>
                    <th scope="col">In</th>
                    <th scope="col">About</th>
                  </tr>
                </thead>
                <tbody>
                  {parameters.map((parameter) => (
                    <tr>
                      <td>
                        <code>{parameter.name}</code>
                        {parameter.required ? ' (required)' : ''}
                      </td>
                      <td>{parameter.in}</td>
                      <td>{parameterText(parameter)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <p class="responses">
              Answers:{' '}
              {Object.entries(operation.responses ?? {})
                .map(([status, response]) => `${status} ${response.description ?? ''}`.trim())
                .join(' · ')}
            </p>
          </section>
        );
      })}
    </Layout>
  );
}
