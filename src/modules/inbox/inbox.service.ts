import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Paged } from '../../common/envelope/envelope';
import { PushServerError } from '../../common/errors/push-server.error';
import { pageRequestOf } from '../../common/validation/page-query';
import { queryBoolValue } from '../../common/validation/constraints';
import { AppCredentialsRepository } from '../admin/app-credentials.repository';
import { MessageService } from '../message/message.service';
import {
  CreateInboxMessageRequest,
  InboxCountQuery,
  InboxDetailQuery,
  InboxListQuery,
  ReadAllInboxMessagesRequest,
  ReadInboxMessageRequest,
} from './dto/inbox.requests';
import { InboxCountResponse, InboxMessageDetail, InboxMessageItem } from './dto/inbox.responses';
import { InboxMessageEntity } from './entities/inbox-message.entity';
import { byCodeUnits, InboxMessageSummary, InboxRepository } from './inbox.repository';
import { ApiAccess } from '../auth/api-access';

/** The `messageType` extra of the push announcing a new inbox message (push-message-extras.md). */
export const INBOX_PUSH_MESSAGE_TYPE = 'mtoken.inboxMessage.new';

/**
 * A message is the caller's when it is in one of the caller's apps: the same rule that lists it. A message whose apps
 * are all gone is out of a restricted caller's reach.
 */
function assertMessageAccess(inboxId: string, appIds: string[], access: ApiAccess): void {
  if (!access.restricted || appIds.some((appId) => access.mayUse(appId))) return;
  throw new PushServerError(
    'ERROR_FORBIDDEN',
    `API client is not allowed to act on inbox message ${inboxId}`,
  );
}

const APP_LIST_NOT_FOUND = 'Application list contained an app that is not configured in the system.';

/**
 * The message inbox (`/inbox/messages/*`): messages stored per user and linked to apps, listed, counted and marked
 * read with the original's semantics; optionally announced by a silent push through the message pipeline.
 */
@Injectable()
export class InboxService {
  private readonly logger = new Logger('InboxService');

  constructor(
    private readonly inbox: InboxRepository,
    private readonly apps: AppCredentialsRepository,
    private readonly pushes: MessageService,
  ) {}

  async post(request: CreateInboxMessageRequest, access: ApiAccess): Promise<InboxMessageDetail> {
    // Duplicates are ignored (the original refused them, by comparing counts, as an unknown app).
    const appIds = [...new Set(request.applications)].sort(byCodeUnits);
    access.assertApps(appIds);
    const apps = await this.requireApps(appIds);
    const message: Omit<InboxMessageEntity, 'id'> = {
      inboxId: randomUUID(),
      userId: request.userId,
      type: request.type,
      subject: request.subject,
      summary: request.summary,
      body: request.body,
      read: false,
      timestampCreated: new Date(),
      timestampRead: null,
    };
    const id = await this.inbox.insert(message, apps);
    this.logger.log(`Posted inbox message ${message.inboxId} for user ${message.userId}`);
    if (request.sendPush) await this.announce(message.userId, message.inboxId, appIds, access);
    return detailOf({ ...message, id }, appIds);
  }

  async list(query: InboxListQuery, access: ApiAccess): Promise<Paged<InboxMessageItem[]>> {
    const page = pageRequestOf(query);
    access.assertApps(query.applications);
    const apps = await this.requireApps([...new Set(query.applications)]);
    const onlyUnread = queryBoolValue(query.onlyUnread, false);
    const rows = await this.inbox.list(query.userId, apps, onlyUnread, page.offset, page.size);
    return new Paged(rows.map(itemOf), page.page, page.size);
  }

  async count(query: InboxCountQuery, access: ApiAccess): Promise<InboxCountResponse> {
    access.assertApp(query.appId);
    const app = await this.requireApp(query.appId);
    return { countUnread: await this.inbox.countUnread(query.userId, app) };
  }

  async detail(query: InboxDetailQuery, access: ApiAccess): Promise<InboxMessageDetail> {
    const message = await this.inbox.findByInboxId(query.id);
    if (!message) throw messageNotFound(`Unable to fetch message: ${query.id}.`);
    const appIds = await this.inbox.appIdsOf(message.id);
    assertMessageAccess(message.inboxId, appIds, access);
    return detailOf(message, appIds);
  }

  /** Idempotent: an already-read message is answered as it is, its `timestampRead` unchanged. */
  async read(request: ReadInboxMessageRequest, access: ApiAccess): Promise<InboxMessageDetail> {
    let message = await this.inbox.findByInboxId(request.inboxId);
    if (!message) throw messageNotFound(`Unable to mark message: ${request.inboxId} as read.`);
    const appIds = await this.inbox.appIdsOf(message.id);
    assertMessageAccess(message.inboxId, appIds, access);
    if (!message.read) {
      await this.inbox.markRead(message.id, new Date());
      // Reloaded: a concurrent read may have been the one that set timestamp_read.
      message = (await this.inbox.findById(message.id)) ?? message;
      this.logger.log(`Marked inbox message ${request.inboxId} as read`);
    }
    return detailOf(message, appIds);
  }

  async readAll(request: ReadAllInboxMessagesRequest, access: ApiAccess): Promise<void> {
    access.assertApp(request.appId);
    const app = await this.requireApp(request.appId);
    const count = await this.inbox.markAllRead(request.userId, app, new Date());
    this.logger.log(
      `Marked ${count} inbox message(s) as read for user ${request.userId} in app ${request.appId}`,
    );
  }

  /** push_app_credentials ids of the apps, in the same order; any unknown app is ERROR_APP_NOT_FOUND. */
  private async requireApps(appIds: string[]): Promise<number[]> {
    const found = await this.apps.findIdsByAppIds(appIds);
    if (found.size !== appIds.length) throw new PushServerError('ERROR_APP_NOT_FOUND', APP_LIST_NOT_FOUND);
    return appIds.map((appId) => found.get(appId)!);
  }

  private async requireApp(appId: string): Promise<number> {
    const id = await this.apps.findIdByAppId(appId);
    if (id === null) throw new PushServerError('ERROR_APP_NOT_FOUND', `Application was not found: ${appId}`);
    return id;
  }

  /**
   * A silent push to the user's devices in each app of the message, through the one send path (ASYNCHRONOUS: the
   * push_message rows are on disk when this returns). The message is already committed, so a push that cannot be
   * recorded is logged and the post still succeeds; failing it would invite a retry that posts the message twice.
   * An app without credentials for a device's platform records that device's push as FAILED, as any send does.
   */
  private async announce(
    userId: string,
    inboxId: string,
    appIds: string[],
    access: ApiAccess,
  ): Promise<void> {
    for (const appId of appIds) {
      try {
        await this.pushes.send(
          {
            appId,
            mode: 'ASYNCHRONOUS',
            message: {
              userId,
              attributes: { silent: true },
              body: { extras: { messageType: INBOX_PUSH_MESSAGE_TYPE, inboxId } },
            },
          },
          access,
        );
      } catch (error) {
        this.logger.error(
          `Inbox message ${inboxId} was posted, but its push to app ${appId} could not be recorded: ` +
            (error instanceof Error ? error.message : String(error)),
        );
      }
    }
  }
}

function messageNotFound(message: string): PushServerError {
  return new PushServerError('ERROR_MESSAGE_NOT_FOUND', message);
}

function itemOf(row: InboxMessageSummary): InboxMessageItem {
  return {
    id: row.inboxId,
    type: row.type,
    subject: row.subject,
    summary: row.summary,
    read: row.read,
    timestampCreated: row.timestampCreated,
  };
}

function detailOf(message: InboxMessageEntity, applications: string[]): InboxMessageDetail {
  return {
    id: message.inboxId,
    userId: message.userId,
    type: message.type,
    subject: message.subject,
    summary: message.summary,
    body: message.body,
    read: message.read,
    timestampCreated: message.timestampCreated,
    timestampRead: message.timestampRead ?? undefined,
    applications,
  };
}
