import { Injectable, Logger } from '@nestjs/common';
import { Paged } from '../../common/envelope/envelope';
import { PushServerError } from '../../common/errors/push-server.error';
import { queryBoolValue } from '../../common/validation/constraints';
import { PageQuery, pageRequestOf, UNPAGED_LIST_MAX } from '../../common/validation/page-query';
import { requireNotBlank, requirePresent } from '../../common/validation/require-field';
import { TransactionRunner } from '../../database/transaction-runner';
import { AppCredentialsRepository } from '../admin/app-credentials.repository';
import { MessageService } from '../message/message.service';
import { decodeCampaignMessage, encodeCampaignMessage } from './campaign-message.codec';
import { CAMPAIGN_NOT_FOUND, CampaignRecord, CampaignRepository } from './campaign.repository';
import { CampaignUserRepository } from './campaign-user.repository';
import { CampaignSender } from './sending/campaign-sender.service';
import { CampaignListQuery, CreateCampaignRequest, TestCampaignRequest } from './dto/campaign.requests';
import {
  CampaignResponse,
  CampaignUsersResponse,
  CreateCampaignResponse,
  DeleteCampaignResponse,
} from './dto/campaign.responses';
import { ApiAccess } from '../auth/api-access';
import { assertCampaignAccess } from './campaign-access';

/**
 * `/push/campaign/*` except the live send (CampaignSender): campaigns, their user lists, and the test send to one user, which goes
 * through MessageService like any `/push/message/send`.
 */
@Injectable()
export class CampaignService {
  private readonly logger = new Logger('CampaignService');

  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly users: CampaignUserRepository,
    private readonly apps: AppCredentialsRepository,
    private readonly messages: MessageService,
    private readonly transactions: TransactionRunner,
    private readonly sender: CampaignSender,
  ) {}

  async create(request: CreateCampaignRequest, access: ApiAccess): Promise<CreateCampaignResponse> {
    const appId = requireNotBlank(request.appId, 'App ID must not be null.');
    access.assertApp(appId);
    const body = requirePresent(request.message, 'You must specify a push campaign message payload.');
    const appCredentialsId = await this.apps.findIdByAppId(appId);
    if (appCredentialsId === null) {
      throw PushServerError.generic(`Application with a provided PowerAuth app ID does not exist: ${appId}`);
    }
    const message = encodeCampaignMessage(body);
    await this.messages.checkBody(appId, body);
    // Through the runner: on SQLite a lone INSERT would otherwise join another request's open transaction.
    const id = await this.transactions.run((manager) =>
      this.campaigns.insert({ appId: appCredentialsId, message, timestampCreated: new Date() }, manager),
    );
    this.logger.log(`Campaign ${id} created for app ${appId}`);
    return { id };
  }

  /** The campaign and its user rows, in one transaction; the user rows go even when the campaign is missing. */
  async delete(id: number, access: ApiAccess): Promise<DeleteCampaignResponse> {
    await this.checkIfExists(id, access);
    const deleted = await this.transactions.run(async (manager) => {
      const existed = await this.campaigns.deleteById(id, manager);
      await this.users.deleteByCampaign(id, manager);
      return existed;
    });
    // A node sending it live stops at its next page; what it already recorded is still delivered.
    await this.sender.forget(id);
    return { deleted };
  }

  async detail(id: number, access: ApiAccess): Promise<CampaignResponse> {
    return toResponse(await this.requireCampaign(id, access));
  }

  /** `all=true`: every campaign; `all` missing or false: the campaigns not sent yet. Ordered by id, one page. */
  async list(query: CampaignListQuery, access: ApiAccess): Promise<CampaignResponse[]> {
    const all = queryBoolValue(query.all, false);
    // A restricted client's page is taken from its own apps' campaigns, so pages stay full.
    const page = pageRequestOf(query, UNPAGED_LIST_MAX);
    return (await this.campaigns.list(!all, page, access.caller?.appIds)).map(toResponse);
  }

  /**
   * Adds the users the campaign does not have yet; repeated ids in the request count once. Writers of one campaign's
   * list take turns (its row is locked), so concurrent adds of the same users cannot both insert them.
   */
  async addUsers(id: number, userIds: string[] | null, access: ApiAccess): Promise<void> {
    const requested = [...new Set(requirePresent(userIds, 'Empty requestObject data'))];
    await this.checkIfExists(id, access);
    const added = await this.transactions.run(async (manager) => {
      if (!(await this.campaigns.lockById(id, manager))) throw PushServerError.generic(CAMPAIGN_NOT_FOUND);
      const existing = await this.users.findExisting(id, requested, manager);
      const missing = existing.size === 0 ? requested : requested.filter((userId) => !existing.has(userId));
      await this.users.insert(id, missing, new Date(), manager);
      return missing.length;
    });
    if (added < requested.length) {
      this.logger.warn(`Campaign ${id}: ${requested.length - added} user(s) already assigned, skipped`);
    }
  }

  /** No check that the campaign exists (the original's behaviour): an unknown campaign has no users. */
  async listUsers(id: number, query: PageQuery, access: ApiAccess): Promise<Paged<CampaignUsersResponse>> {
    const page = pageRequestOf(query);
    await this.checkIfExists(id, access);
    const users = await this.users.listUserIds(id, page);
    return new Paged({ campaignId: id, users }, page.page, page.size);
  }

  /** No check that the campaign exists; unknown users are ignored. */
  async deleteUsers(id: number, userIds: string[], access: ApiAccess): Promise<void> {
    const requested = [...new Set(userIds)];
    await this.checkIfExists(id, access);
    await this.transactions.run(async (manager) => {
      await this.campaigns.lockById(id, manager);
      await this.users.delete(id, requested, manager);
    });
  }

  /**
   * A SYNCHRONOUS send of the campaign message to every device of one user in the campaign's app (not personal, not
   * silent, HIGH priority); the user need not be in the campaign. The counters are not answered, as in the original.
   */
  async sendTest(id: number, request: TestCampaignRequest, access: ApiAccess): Promise<void> {
    const campaign = await this.requireCampaign(id, access);
    const userId = requireNotBlank(request.userId, 'Request must contain a user ID.');
    if (campaign.appId === null)
      throw PushServerError.generic(`Application of campaign ${id} does not exist`);
    await this.messages.send(
      {
        appId: campaign.appId,
        mode: 'SYNCHRONOUS',
        message: {
          userId,
          priority: 'HIGH',
          attributes: { silent: false, personal: false },
          body: decodeCampaignMessage(campaign.message),
        },
      },
      access,
    );
  }

  /** For the campaign's other services (the live send): the row, or the original's 400. */
  async requireCampaign(id: number, access: ApiAccess): Promise<CampaignRecord> {
    const campaign = await this.campaigns.findById(id);
    if (!campaign) throw PushServerError.generic(CAMPAIGN_NOT_FOUND);
    assertCampaignAccess(campaign, access);
    return campaign;
  }

  /** For the endpoints that answer a missing campaign as empty: a restricted caller is checked when it exists. */
  private async checkIfExists(id: number, access: ApiAccess): Promise<void> {
    if (!access.restricted) return;
    const campaign = await this.campaigns.findById(id);
    if (campaign) assertCampaignAccess(campaign, access);
  }
}

function toResponse(campaign: CampaignRecord): CampaignResponse {
  return {
    id: campaign.id,
    appId: campaign.appId,
    sent: campaign.sent,
    message: decodeCampaignMessage(campaign.message),
  };
}
