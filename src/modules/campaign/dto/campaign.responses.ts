import { PushMessageBodyDto } from '../../message/dto/message.requests';

/** `CampaignResponse` of the original: the detail and each item of the list. */
export interface CampaignResponse {
  id: number;
  /** The app's PowerAuth app id (push_app_credentials.app_id); left out if the app row is gone. */
  appId: string | null;
  sent: boolean;
  message: PushMessageBodyDto;
}

export interface CreateCampaignResponse {
  id: number;
}

export interface DeleteCampaignResponse {
  deleted: boolean;
}

/** `ListOfUsersFromCampaignResponse`, answered inside a paged envelope. */
export interface CampaignUsersResponse {
  campaignId: number;
  users: string[];
}
