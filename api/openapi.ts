import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

/** zod with `.openapi()`: every api/ module imports z from here so the extension is always in place. */
export { z };

/** Every route registers its schemas here; the document is generated from the same schemas the routes validate with. */
export const registry = new OpenAPIRegistry();

export const bearerAuth = registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

export function openApiDocument(): object {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Revolve API',
      version: '1.0.0',
      description: 'The HTTP contract of Revolve, the back office of a revolving consumer credit line. Money is integer fen.',
    },
    servers: [{ url: '/' }],
    security: [{ [bearerAuth.name]: [] }],
  });
}
