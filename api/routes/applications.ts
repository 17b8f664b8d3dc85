import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { insertApplication, withdrawApplication } from '../../db/applications';
import { localDay } from '../../domain/calendar';
import { STANDARD_PRODUCT } from '../../domain/product';
import type { CreditLineInput } from '../../workflows/messages';
import type { ApiContext } from '../context';
import { lineGateway } from '../gateway';
import { z } from '../openapi';
import { Problem } from '../problem';
import { findApplicationFor } from '../read-models';
import { commonErrors, defineRoute } from '../route';
import { fenSchema, idSchema } from '../schemas';

const applicationBody = z.object({
  phone: z.string().regex(/^\+?[0-9]{6,15}$/, 'a phone number of 6 to 15 digits, optionally starting with +'),
  monthlyIncome: fenSchema.min(0).max(1_000_000_000).openapi({ description: 'Declared monthly income, fen' }),
  employmentMonths: z.number().int().min(0).max(720),
  age: z.number().int().min(0).max(130),
  statementDay: z.number().int().min(1).max(28).optional().openapi({ description: 'Day of the month the cycle closes; defaults to today (at most 28)' }),
}).strict().openapi('ApplicationRequest');

const applicationStatus = z.enum(['UNDERWRITING', 'MANUAL_REVIEW', 'APPROVED', 'DECLINED']);
const applicationView = z.object({
  applicationId: z.string(),
  creditLineId: z.string(),
  status: applicationStatus,
  limit: fenSchema.optional(),
  reasonCodes: z.array(z.string()).optional(),
}).openapi('Application');

/** Today's day of the month in Asia/Shanghai, capped at 28 so every month has it. */
function defaultStatementDay(now: Date): number {
  return Math.min(Number(localDay(now.toISOString()).slice(8, 10)), 28);
}

export function applicationRoutes(ctx: ApiContext): Router {
  const router = Router();
  const lines = lineGateway(ctx);

  defineRoute(router, {
    method: 'post', path: '/v1/applications', summary: 'Apply for a credit line', tags: ['applications'],
    roles: ['customer'],
    body: applicationBody,
    responses: {
      202: { description: 'Received; underwriting runs', schema: z.object({ applicationId: z.string(), creditLineId: z.string(), status: z.literal('UNDERWRITING') }) },
      ...commonErrors,
      409: { description: 'APPLICATION_EXISTS: the customer has a line under review or open (`applicationId`, `creditLineId`)', schema: commonErrors[400].schema },
      503: { description: 'Temporal is unavailable; nothing was created', schema: commonErrors[400].schema },
    },
  }, async ({ body, principal }) => {
    const applicationId = `app_${randomUUID()}`;
    const creditLineId = `cl_${randomUUID()}`;
    const statementDay = body.statementDay ?? defaultStatementDay(await ctx.now());
    const received = await insertApplication(ctx.db, {
      applicationId, creditLineId, customerId: principal.subject, productId: STANDARD_PRODUCT.id,
      phone: body.phone, monthlyIncome: body.monthlyIncome, employmentMonths: body.employmentMonths, age: body.age, statementDay,
    });
    if (!received.inserted) {
      throw new Problem(409, 'APPLICATION_EXISTS', 'An application or line exists', 'you already have a credit line under review or open', { ...received.existing });
    }
    const input: CreditLineInput = { creditLineId, applicationId, customerId: principal.subject, productId: STANDARD_PRODUCT.id, statementDay };
    try {
      await lines.start(input);
    } catch (problem) {
      // Nothing may remain of an application no workflow will ever decide.
      await withdrawApplication(ctx.db, { applicationId, creditLineId });
      throw problem;
    }
    return { status: 202, body: { applicationId, creditLineId, status: 'UNDERWRITING' }, headers: { Location: `/v1/applications/${applicationId}` } };
  });

  defineRoute(router, {
    method: 'get', path: '/v1/applications/:applicationId', summary: 'The decision so far', tags: ['applications'],
    params: z.object({ applicationId: idSchema }),
    responses: { 200: { description: 'The application', schema: applicationView }, ...commonErrors },
  }, async ({ params, principal }) => {
    const { application, decision } = await findApplicationFor(ctx.db, principal, params.applicationId);
    const decided = application.status === 'APPROVED' || application.status === 'DECLINED' || application.status === 'MANUAL_REVIEW';
    return {
      status: 200,
      body: {
        applicationId: application.id,
        creditLineId: application.creditLineId,
        status: application.status,
        ...(application.status === 'APPROVED' && decision?.limit != null ? { limit: decision.limit } : {}),
        ...(decided && decision ? { reasonCodes: decision.reasonCodes } : {}),
      },
    };
  });

  return router;
}
