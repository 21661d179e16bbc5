// The reviewer queue's calls (roles REVIEWER and APPROVER), one function per route.
import type {
  DecisionRequest,
  PreReviewRequest,
  SupplementRequestInput,
  SurveyAcceptance,
  SurveyRequestInput,
  TaskListResponse,
  TaskResponse,
} from '../../../src/api/console-api';
import { api, regionApi, segment } from '../shared/api-client';

export type TaskScope = 'open' | 'decided';

const taskPath = (region: string, taskId: string, route = '') =>
  regionApi(region, `review/tasks/${segment(taskId)}${route === '' ? '' : `/${route}`}`);

export const reviewApi = {
  tasks: (region: string, scope: TaskScope) =>
    api.get<TaskListResponse>(regionApi(region, `review/tasks?scope=${scope}`)),

  task: (region: string, taskId: string) => api.get<TaskResponse>(taskPath(region, taskId)),

  /** For <img src>, <iframe src>, <video src>: the browser sends the session cookie itself. */
  materialUrl: (region: string, taskId: string, sha256: string) =>
    taskPath(region, taskId, `materials/${segment(sha256)}`),

  preReview: (region: string, taskId: string, request: PreReviewRequest) =>
    api.post<TaskResponse>(taskPath(region, taskId, 'pre-review'), request),

  decide: (region: string, taskId: string, request: DecisionRequest) =>
    api.post<TaskResponse>(taskPath(region, taskId, 'decision'), request),

  requestSupplement: (region: string, taskId: string, request: SupplementRequestInput) =>
    api.post<TaskResponse>(taskPath(region, taskId, 'supplement-request'), request),

  requestSurvey: (region: string, taskId: string, request: SurveyRequestInput) =>
    api.post<TaskResponse>(taskPath(region, taskId, 'survey-request'), request),

  acceptSurvey: (region: string, taskId: string, request: SurveyAcceptance) =>
    api.post<TaskResponse>(taskPath(region, taskId, 'survey-acceptance'), request),
};
