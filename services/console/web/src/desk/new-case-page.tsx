// 新办件: the clerk picks the region that owns the item, the item from that region's catalog,
// then fills in the applicant, the item's own fields, the scanned materials and how the result
// reaches the applicant. Everything the window can check is checked before the case leaves it.
import { useEffect, useMemo, useRef, useState } from 'react';
import type {
  ApplicantKind,
  CatalogItem,
  DeliveryMethod,
  PostalAddress,
  SubmitApplication,
} from '../../../src/api/console-api';
import { ApiFailure } from '../shared/api-client';
import type { ApiProblem } from '../../../src/api/console-api';
import {
  Form,
  ScanInput,
  SubmitButton,
  TextField,
  useAction,
  useFileChoices,
} from '../shared/forms';
import { newIdempotencyKey } from '../shared/ids';
import { checkIdentifier, validateResidentId } from '../shared/identifiers';
import {
  APPLICANT_KIND_LABELS,
  DELIVERY_LABELS,
  DELIVERY_SHORT_LABELS,
  MODE_LABELS,
  SERVICE_LIST_LABELS,
} from '../shared/labels';
import { navigate } from '../shared/router';
import { useResource } from '../shared/use-resource';
import {
  Badge,
  Empty,
  ErrorMessage,
  FormField,
  Loading,
  Notice,
  Panel,
  TableHead,
} from '../shared/ui';
import { useStaff } from '../session/session-context';
import { AddressFields, EMPTY_ADDRESS, addressProblem, trimAddress } from './address-fields';
import { deskApi } from './desk-api';
import { IdentifierInput } from './identifier-input';

const PHONE = /^[0-9+\-\s]{7,20}$/;
const AGENT_RELATIONS = ['配偶', '子女', '父母', '兄弟姐妹', '其他亲属', '受委托人', '单位经办人'];

interface AgentForm {
  name: string;
  identifier: string;
  phone: string;
  relation: string;
  authorizationMaterial: string;
}

const EMPTY_AGENT: AgentForm = {
  name: '',
  identifier: '',
  phone: '',
  relation: '',
  authorizationMaterial: '',
};

function isScan(file: File): boolean {
  return file.type.startsWith('image/') || file.type === 'application/pdf';
}

function defaultAuthorizationMaterial(item: CatalogItem): string {
  const authorization = item.materials.find(
    (material) => material.code.includes('AUTHORIZATION') || material.name.includes('委托'),
  );
  return authorization?.code ?? '';
}

export function NewCasePage() {
  const staff = useStaff();
  // One key per form: a retried submit (lost answer, double click) returns the same case.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [handlingRegion, setHandlingRegion] = useState('');
  const [itemCode, setItemCode] = useState('');
  const [kind, setKind] = useState<ApplicantKind>('PERSON');
  const [identifier, setIdentifier] = useState('');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [withAgent, setWithAgent] = useState(false);
  const [agent, setAgent] = useState<AgentForm>(EMPTY_AGENT);
  const [fields, setFields] = useState<Record<string, string>>({});
  const scans = useFileChoices();
  const files = scans.files;
  const [fileInputsKey, setFileInputsKey] = useState(0);
  const [deliveryMethod, setDeliveryMethod] = useState<DeliveryMethod | ''>('');
  const [address, setAddress] = useState<PostalAddress>(EMPTY_ADDRESS);
  const [pickup, setPickup] = useState<PostalAddress>(EMPTY_ADDRESS);
  const { busy, error, setError, perform } = useAction();
  const errorRef = useRef<HTMLDivElement>(null);

  // The submit bar stays on screen while the form scrolls; bring what went wrong into view.
  useEffect(() => {
    if (error !== undefined) errorRef.current?.scrollIntoView({ block: 'nearest' });
  }, [error]);

  const partners = useResource(`partners:${staff.region}`, () => deskApi.partners(staff.region));
  const catalog = useResource(
    handlingRegion === '' ? undefined : `catalog:${staff.region}:${handlingRegion}`,
    () => deskApi.catalog(staff.region, handlingRegion),
  );
  const item = catalog.data?.items.find((candidate) => candidate.code === itemCode);

  const chooseRegion = (region: string) => {
    setHandlingRegion(region);
    chooseItem(undefined);
  };

  const chooseItem = (next: CatalogItem | undefined) => {
    setItemCode(next?.code ?? '');
    setFields(Object.fromEntries((next?.fields ?? []).map((field) => [field.name, ''])));
    scans.clear();
    setFileInputsKey((value) => value + 1);
    setDeliveryMethod(next?.deliveryMethods[0] ?? '');
    setAgent((previous) => ({
      ...previous,
      authorizationMaterial: next === undefined ? '' : defaultAuthorizationMaterial(next),
    }));
    setError(undefined);
  };

  /** Names for the codes a server problem may point at. */
  const fieldNames = useMemo(() => {
    const names: Record<string, string> = {
      'applicant.identifier': kind === 'PERSON' ? '申请人身份证号码' : '统一社会信用代码',
      'applicant.name': '申请人',
      'applicant.phone': '联系电话',
      'agent.identifier': '代办人身份证号码',
      'agent.name': '代办人',
      'agent.phone': '代办人电话',
      'delivery.address': '邮寄地址',
      materialsPickup: '原件收取地址',
    };
    for (const field of item?.fields ?? []) {
      names[field.name] = field.label;
      names[`fields.${field.name}`] = field.label;
    }
    for (const material of item?.materials ?? []) {
      names[material.code] = material.name;
      names[`material:${material.code}`] = material.name;
    }
    return names;
  }, [item, kind]);

  /** What the window can see is wrong before sending: one problem per line. */
  const formProblems = (chosen: CatalogItem): ApiProblem[] => {
    const problems: ApiProblem[] = [];
    const add = (message: string, field?: string) => {
      problems.push({
        code: 'FORM.INCOMPLETE',
        message,
        ...(field === undefined ? {} : { field }),
      });
    };
    const applicantCheck = checkIdentifier(kind, identifier);
    if (!applicantCheck.ok) add(applicantCheck.message);
    if (name.trim() === '') add(kind === 'PERSON' ? '请填写申请人姓名。' : '请填写单位名称。');
    if (!PHONE.test(phone.trim())) add('请填写申请人的联系电话（7–20 位数字）。');
    if (withAgent) {
      if (agent.name.trim() === '') add('请填写代办人姓名。');
      const agentCheck = validateResidentId(agent.identifier);
      if (!agentCheck.ok) add(`代办人：${agentCheck.message}`);
      if (!PHONE.test(agent.phone.trim())) add('请填写代办人的联系电话。');
      if (agent.relation.trim() === '') add('请填写代办人与申请人的关系。');
      if (agent.authorizationMaterial === '') add('请选择哪一份材料是授权委托书。');
      else if (!files.has(agent.authorizationMaterial)) {
        add(
          `代办须上传授权委托书：“${fieldNames[agent.authorizationMaterial] ?? agent.authorizationMaterial}”。`,
        );
      }
    }
    for (const field of chosen.fields) {
      if (field.required && (fields[field.name] ?? '').trim() === '') {
        add(`请填写“${field.label}”。`);
      }
    }
    for (const material of chosen.materials) {
      const file = files.get(material.code);
      if (file === undefined && material.mandatory) {
        add(`请上传必交材料“${material.name}”。`);
      }
      if (file !== undefined && !isScan(file)) {
        add(`“${material.name}”只能上传图片或 PDF 扫描件，当前文件是 ${file.name}。`);
      }
    }
    if (deliveryMethod === '') add('请选择结果送达方式。');
    const mailProblem = deliveryMethod === 'MAIL' ? addressProblem(address, '邮寄地址') : undefined;
    if (mailProblem !== undefined) add(mailProblem);
    const pickupProblem = chosen.originalsRequired
      ? addressProblem(pickup, '原件收取地址')
      : undefined;
    if (pickupProblem !== undefined) add(pickupProblem);
    return problems;
  };

  const submit = async () => {
    if (item === undefined || deliveryMethod === '') {
      setError(
        new ApiFailure(0, { code: 'FORM.INCOMPLETE', message: '请先选择办理地和办理事项。' }),
      );
      return;
    }
    const problems = formProblems(item);
    if (problems.length > 0) {
      setError(
        new ApiFailure(0, {
          code: 'FORM.INCOMPLETE',
          message: '申请信息还不完整，请补充后再提交：',
          problems,
        }),
      );
      return;
    }
    const applicantCheck = checkIdentifier(kind, identifier);
    const filledFields = Object.fromEntries(
      Object.entries(fields)
        .map(([field, value]) => [field, value.trim()] as const)
        .filter(([, value]) => value !== ''),
    );
    const application: SubmitApplication = {
      idempotencyKey,
      handlingRegion,
      itemCode: item.code,
      applicant: {
        kind,
        identifier: applicantCheck.ok ? applicantCheck.normalized : identifier.trim(),
        name: name.trim(),
        phone: phone.trim(),
      },
      delivery:
        deliveryMethod === 'MAIL'
          ? { method: deliveryMethod, address: trimAddress(address) }
          : { method: deliveryMethod },
      fields: filledFields,
    };
    if (withAgent) {
      const agentCheck = validateResidentId(agent.identifier);
      application.agent = {
        name: agent.name.trim(),
        identifier: agentCheck.ok ? agentCheck.normalized : agent.identifier.trim(),
        phone: agent.phone.trim(),
        relation: agent.relation.trim(),
        authorizationMaterial: agent.authorizationMaterial,
      };
    }
    if (item.originalsRequired) application.materialsPickup = trimAddress(pickup);

    await perform(
      async () => {
        const { case: created } = await deskApi.submitCase(staff.region, application, files);
        navigate(`/desk/cases/${encodeURIComponent(created.caseId)}/receipt`);
      },
      { leaving: true },
    );
  };

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>新办件受理</h1>
          <p className="page-subtitle">
            跨省通办窗口 · {staff.regionName}
            受理，材料经加密通道转递办理地审查
          </p>
        </div>
      </div>

      <Panel title="① 办理地与事项">
        <div className="form-grid">
          <FormField label="办理地（事项所属地区）" required>
            <select
              data-testid="partner-select"
              value={handlingRegion}
              onChange={(event) => {
                chooseRegion(event.target.value);
              }}
            >
              <option value="">请选择办理地…</option>
              {(partners.data?.partners ?? []).map((partner) => (
                <option key={partner.region} value={partner.region}>
                  {partner.name}（{partner.region}）
                  {partner.region === staff.region ? ' · 本地' : ''}
                </option>
              ))}
            </select>
          </FormField>
          <FormField label="办理事项" required>
            <select
              data-testid="item-select"
              value={itemCode}
              disabled={catalog.data === undefined}
              onChange={(event) => {
                chooseItem(catalog.data?.items.find((entry) => entry.code === event.target.value));
              }}
            >
              <option value="">{handlingRegion === '' ? '请先选择办理地' : '请选择事项…'}</option>
              {(catalog.data?.items ?? []).map((entry) => (
                <option key={entry.code} value={entry.code}>
                  {entry.name}
                </option>
              ))}
            </select>
          </FormField>
        </div>
        <ErrorMessage error={partners.error ?? catalog.error} />
        {handlingRegion === '' ? null : catalog.data === undefined ? (
          catalog.error === undefined ? (
            <Loading what="事项目录" />
          ) : null
        ) : catalog.data.items.length === 0 ? (
          <Empty>该地区暂未向本窗口开放可代收代办的事项。</Empty>
        ) : (
          <CatalogTable
            items={catalog.data.items}
            chosen={itemCode}
            onChoose={(entry) => {
              chooseItem(entry);
            }}
          />
        )}
      </Panel>

      {item === undefined ? null : (
        <Form onSubmit={submit} className="case-form">
          <div className="columns">
            <Panel title="② 申请人">
              <div className="form-grid">
                <FormField label="申请人类型" required>
                  <select
                    data-testid="applicant-kind"
                    value={kind}
                    onChange={(event) => {
                      setKind(event.target.value === 'ORGANIZATION' ? 'ORGANIZATION' : 'PERSON');
                    }}
                  >
                    {(['PERSON', 'ORGANIZATION'] as const).map((option) => (
                      <option key={option} value={option}>
                        {APPLICANT_KIND_LABELS[option]}
                      </option>
                    ))}
                  </select>
                </FormField>
                <FormField
                  label={kind === 'PERSON' ? '居民身份证号码' : '统一社会信用代码'}
                  required
                >
                  <IdentifierInput
                    kind={kind}
                    value={identifier}
                    onChange={setIdentifier}
                    testId="applicant-identifier"
                  />
                </FormField>
                <TextField
                  label={kind === 'PERSON' ? '姓名' : '单位名称'}
                  required
                  testId="applicant-name"
                  value={name}
                  onChange={setName}
                />
                <TextField
                  label="联系电话"
                  required
                  testId="applicant-phone"
                  value={phone}
                  inputMode="tel"
                  onChange={setPhone}
                />
              </div>
              <label className="checkbox">
                <input
                  type="checkbox"
                  data-testid="agent-toggle"
                  checked={withAgent}
                  onChange={(event) => {
                    setWithAgent(event.target.checked);
                  }}
                />
                帮代办：由代办人持授权委托书办理
              </label>
              {withAgent ? (
                <div className="form-grid subform">
                  <TextField
                    label="代办人姓名"
                    required
                    testId="agent-name"
                    value={agent.name}
                    onChange={(value) => {
                      setAgent({ ...agent, name: value });
                    }}
                  />
                  <FormField label="代办人身份证号码" required>
                    <IdentifierInput
                      kind="PERSON"
                      value={agent.identifier}
                      onChange={(value) => {
                        setAgent({ ...agent, identifier: value });
                      }}
                      testId="agent-identifier"
                    />
                  </FormField>
                  <TextField
                    label="代办人电话"
                    required
                    testId="agent-phone"
                    value={agent.phone}
                    inputMode="tel"
                    onChange={(value) => {
                      setAgent({ ...agent, phone: value });
                    }}
                  />
                  <FormField label="与申请人关系" required>
                    <input
                      data-testid="agent-relation"
                      list="agent-relations"
                      value={agent.relation}
                      onChange={(event) => {
                        setAgent({ ...agent, relation: event.target.value });
                      }}
                    />
                    <datalist id="agent-relations">
                      {AGENT_RELATIONS.map((relation) => (
                        <option key={relation} value={relation} />
                      ))}
                    </datalist>
                  </FormField>
                  <FormField label="授权委托书对应的材料" required wide>
                    <select
                      data-testid="agent-authorization"
                      value={agent.authorizationMaterial}
                      onChange={(event) => {
                        setAgent({ ...agent, authorizationMaterial: event.target.value });
                      }}
                    >
                      <option value="">请选择…</option>
                      {item.materials.map((material) => (
                        <option key={material.code} value={material.code}>
                          {material.name}
                        </option>
                      ))}
                    </select>
                  </FormField>
                </div>
              ) : null}
            </Panel>

            <Panel title="③ 申报信息">
              {item.fields.length === 0 ? (
                <Empty>该事项无需填写其他申报信息。</Empty>
              ) : (
                <div className="form-grid">
                  {item.fields.map((field) => {
                    const value = fields[field.name] ?? '';
                    const setValue = (next: string) => {
                      setFields((previous) => ({ ...previous, [field.name]: next }));
                    };
                    // Fields such as 逝者身份证号 get the same check as the applicant's number.
                    const idCheck =
                      field.label.includes('身份证') && value.trim() !== ''
                        ? validateResidentId(value)
                        : undefined;
                    return (
                      <FormField
                        key={field.name}
                        label={field.label}
                        required={field.required}
                        hint={
                          idCheck === undefined ? undefined : (
                            <span
                              data-testid={`field-${field.name}-status`}
                              data-valid={idCheck.ok ? 'true' : 'false'}
                              className={
                                idCheck.ok ? 'identifier-status-ok' : 'identifier-status-bad'
                              }
                            >
                              {idCheck.ok ? '✓ 身份证号码校验通过。' : `✗ ${idCheck.message}`}
                            </span>
                          )
                        }
                      >
                        {field.values.length > 0 ? (
                          <select
                            data-testid={`field-${field.name}`}
                            value={value}
                            onChange={(event) => {
                              setValue(event.target.value);
                            }}
                          >
                            <option value="">请选择…</option>
                            {field.values.map((option) => (
                              <option key={option.value} value={option.value}>
                                {option.label}
                              </option>
                            ))}
                          </select>
                        ) : (
                          <input
                            data-testid={`field-${field.name}`}
                            value={value}
                            onChange={(event) => {
                              setValue(event.target.value);
                            }}
                          />
                        )}
                      </FormField>
                    );
                  })}
                </div>
              )}
            </Panel>
          </div>

          <Panel title="④ 申请材料（扫描件：图片或 PDF）">
            <table className="table materials-table">
              <TableHead columns={['材料', { title: '要求', width: '5em' }, '扫描件']} />
              <tbody key={fileInputsKey}>
                {item.materials.map((material) => (
                  <tr key={material.code}>
                    <td>
                      {material.name}
                      <span className="code">{material.code}</span>
                    </td>
                    <td>
                      <Badge tone={material.mandatory ? 'danger' : 'muted'}>
                        {material.mandatory ? '必交' : '选交'}
                      </Badge>
                    </td>
                    <td>
                      <ScanInput
                        testId={`material-${material.code}`}
                        material={material}
                        scans={scans}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>

          <Panel title="⑤ 结果送达">
            <div className="form-grid">
              <FormField label="送达方式" required>
                <select
                  data-testid="delivery-method"
                  value={deliveryMethod}
                  onChange={(event) => {
                    const chosen = item.deliveryMethods.find(
                      (method) => method === event.target.value,
                    );
                    setDeliveryMethod(chosen ?? '');
                  }}
                >
                  {item.deliveryMethods.map((method) => (
                    <option key={method} value={method}>
                      {DELIVERY_LABELS[method]}
                    </option>
                  ))}
                </select>
              </FormField>
            </div>
            {deliveryMethod === 'MAIL' ? (
              <>
                <h3 className="subheading">邮寄地址</h3>
                <AddressFields prefix="address" value={address} onChange={setAddress} />
              </>
            ) : deliveryMethod === 'WINDOW_PICKUP' ? (
              <Notice tone="info">
                办结后，纸质结果寄至本窗口（{staff.regionName}），由申请人凭受理回执到窗口领取。
              </Notice>
            ) : deliveryMethod === 'ELECTRONIC' ? (
              <Notice tone="info">办结后签发电子证照，申请人无需到现场领取。</Notice>
            ) : null}
            {item.originalsRequired ? (
              <>
                <h3 className="subheading">原件收取地址（办理地预审通过后上门收取原件）</h3>
                <AddressFields prefix="pickup" value={pickup} onChange={setPickup} />
              </>
            ) : null}
          </Panel>

          <div ref={errorRef}>
            <ErrorMessage error={error} testId="form-error" fieldNames={fieldNames} />
          </div>
          <div className="form-footer">
            <div className="form-footer-bar">
              <span className="muted">
                提交即受理：生成办件编号和受理回执，材料转递 {catalog.data?.regionName ?? ''}
                审查。
              </span>
              <SubmitButton
                testId="submit-case"
                busy={busy}
                busyLabel="正在提交…"
                className="button button-primary button-large"
              >
                提交受理
              </SubmitButton>
            </div>
          </div>
        </Form>
      )}
    </div>
  );
}

function CatalogTable({
  items,
  chosen,
  onChoose,
}: {
  items: CatalogItem[];
  chosen: string;
  onChoose: (item: CatalogItem) => void;
}) {
  return (
    <table className="table catalog-table">
      <TableHead columns={['事项', '实施部门', '办理方式', '承诺时限', '清单', '送达']} />
      <tbody>
        {items.map((item) => (
          <tr
            key={item.code}
            data-testid="item-option"
            data-item-code={item.code}
            className={item.code === chosen ? 'row-selected row-clickable' : 'row-clickable'}
            onClick={() => {
              onChoose(item);
            }}
          >
            <td>
              <strong>{item.name}</strong>
              <span className="code">{item.code}</span>
            </td>
            <td>
              {item.department}
              {item.mode === 'TWO_LEVEL' && item.approvalDepartment !== '' ? (
                <span className="secondary">审批：{item.approvalDepartment}</span>
              ) : null}
            </td>
            <td>
              <Badge
                tone={
                  item.mode === 'INSTANT'
                    ? 'success'
                    : item.mode === 'TWO_LEVEL'
                      ? 'warning'
                      : 'info'
                }
              >
                {MODE_LABELS[item.mode]}
              </Badge>
              {item.surveyRequired ? <Badge tone="muted">需踏勘</Badge> : null}
            </td>
            <td>
              {item.timeLimitWorkingDays} 个工作日
              {item.preReviewWorkingDays > 0 ? (
                <span className="secondary">预审 {item.preReviewWorkingDays} 个工作日</span>
              ) : null}
            </td>
            <td>
              <span className="tags">
                {item.lists.map((list) => (
                  <Badge key={list} tone="success">
                    {SERVICE_LIST_LABELS[list]}
                  </Badge>
                ))}
              </span>
            </td>
            <td>
              {item.deliveryMethods.map((method) => DELIVERY_SHORT_LABELS[method]).join('、')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
