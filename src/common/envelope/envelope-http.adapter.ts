import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { routeFlags } from '../http/route-options';
import { okEnvelope } from './envelope';

/**
 * Nest's Fastify adapter, writing every handler result in the `{status: "OK", responseObject}` envelope: Nest hands
 * each handler's result to `reply`, and errors never come this way (ApiExceptionFilter writes those). Here rather than
 * in a Nest interceptor, whose per-request rxjs pipeline and async-context binding cost a third of the garbage of a
 * send (docs/decisions.md, Stack).
 */
export class EnvelopeHttpAdapter extends FastifyAdapter {
  override reply(response: FastifyReply, body: unknown, statusCode?: number) {
    const raw = routeFlags(response.request.routeOptions.config).rawResponse === true;
    return super.reply(response, raw ? body : okEnvelope(body), statusCode);
  }
}
