import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Joi from 'joi';
import { buildSwagger, createRouter, describeToSchema } from '../../src/foxx/index.ts';

describe('swagger', () => {
  it('documents routes, parameters, bodies and responses', () => {
    const root = createRouter();
    const child = createRouter();
    child
      .get('/:id', () => undefined, 'getItem')
      .pathParam('id', Joi.number().integer().description('Item id'))
      .queryParam('full', Joi.boolean().required())
      .response(200, Joi.object({ name: Joi.string().required(), tags: Joi.array().items(Joi.string()) }), 'The item.')
      .error(404, 'No such item.')
      .summary('Get one')
      .tag('items');
    child.post('/', () => undefined).body(Joi.object({ name: Joi.string().min(1).required() }).required(), 'New item.');
    root.use('/items', child);
    root.get('/files/*', () => undefined);

    const doc = buildSwagger(root, { database: '_system', mount: '/svc', manifest: { name: 'svc', description: 'A service', version: '1.0.0', license: 'MIT' } });
    assert.equal(doc.swagger, '2.0');
    assert.equal(doc.basePath, '/_db/_system/svc');
    assert.deepEqual(doc.info, { title: 'svc', description: 'A service', version: '1.0.0', license: { name: 'MIT' } });
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/files/*', '/items', '/items/{id}']);

    const get = doc.paths['/items/{id}']?.get as Record<string, unknown>;
    assert.equal(get.operationId, 'getItem');
    assert.equal(get.summary, 'Get one');
    assert.deepEqual(get.tags, ['items']);
    const params = get.parameters as Array<Record<string, unknown>>;
    assert.deepEqual(params[0], { name: 'id', in: 'path', required: true, type: 'integer', description: 'Item id' });
    assert.deepEqual(params[1], { name: 'full', in: 'query', required: true, type: 'boolean' });
    const responses = get.responses as Record<string, Record<string, unknown>>;
    assert.deepEqual(responses['200']?.schema, { type: 'object', properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['name'] });
    assert.equal(responses['404']?.description, 'No such item.');
    assert.ok(responses.default !== undefined);

    const post = doc.paths['/items']?.post as Record<string, unknown>;
    assert.equal(post.operationId, 'POST_items');
    const body = (post.parameters as Array<Record<string, unknown>>).find((p) => p.in === 'body');
    assert.deepEqual(body, { name: 'body', in: 'body', required: true, description: 'New item.', schema: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] } });
    assert.deepEqual(post.consumes, ['application/json']);
  });

  it('maps joi descriptions to schemas', () => {
    assert.deepEqual(describeToSchema(Joi.string().valid('a', 'b').describe()), { type: 'string', enum: ['a', 'b'] });
    assert.deepEqual(describeToSchema(Joi.number().min(1).max(5).default(2).describe()), { type: 'number', minimum: 1, maximum: 5, default: 2 });
    assert.deepEqual(describeToSchema(Joi.date().describe()), { type: 'string', format: 'date-time' });
  });
});
