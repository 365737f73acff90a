// Chinese labels: bpmn-js-i18n's palette and context pad (zn.js) plus this product's dictionary for the
// properties panel and its own entries. English keeps the libraries' own words.
import palette from 'bpmn-js-i18n/translations/zn';

export const panel = {
  'General': '常规',
  'Name': '名称',
  'ID': '编号（ID）',
  'Documentation': '说明文档',
  'Element documentation': '元素说明',
  'Process documentation': '流程说明',
  'Executable': '可执行',
  'Version tag': '版本标签',
  'Process': '流程',
  'Participant': '参与者',
  'Process name': '流程名称',
  'Process ID': '流程编号（ID）',
  'Timer': '定时器',
  'Type': '类型',
  'Value': '值',
  'Date': '日期',
  'Duration': '时长',
  'Cycle': '周期',
  '<none>': '<无>',
  '<empty>': '<空>',
  'Condition': '条件',
  'Condition expression': '条件表达式',
  'Condition Expression': '条件表达式',
  'Message': '消息',
  'Global message reference': '全局消息',
  'Signal': '信号',
  'Global signal reference': '全局信号',
  'Error': '错误',
  'Escalation': '升级',
  'Link': '链接',
  'Compensation': '补偿',
  'Multi-instance': '多实例',
  'Loop cardinality': '实例个数',
  'Completion condition': '完成条件',
  'Input collection': '输入集合',
  'Input element': '输入元素',
  'Output collection': '输出集合',
  'Output element': '输出元素',
  'Called element': '调用的流程',
  'Script': '脚本',
  'Format': '格式',
  'Inline script': '内联脚本',
  'Implementation': '实现方式',
  'Data object': '数据对象',
  'Data store': '数据存储',
  'Category value': '分类值',
  'Text': '文本',
  'Must be a valid QName.': '须为有效的 QName。',
  'ID must not be empty.': '编号不能为空。',
  'ID must be unique.': '编号不能重复。',
  'ID must not contain spaces.': '编号不能包含空格。',
  'ID must be a valid QName.': '编号须为有效的 QName。',
  'Expression': '表达式',
  'Default': '默认',
  'Start initiator': '发起人',
  // this product's properties (written into the spiffworkflow namespace)
  'Xieshang': '协商办理设置',
  'Role of the lane': '泳道对应的角色',
  'Role': '角色',
  'Lane name is the role name; people holding that role handle the steps in the lane.':
    '泳道名称即角色名称：持有该角色的人办理此泳道中的步骤。',
  'Handled by (lane role)': '办理角色（所在泳道）',
  'Not in a lane': '不在任何泳道中',
  'Form (JSON Schema file)': '表单（JSON Schema 文件）',
  'For example forms/visit/step.json': '例如 forms/流程编号/步骤.json',
  'Due in working days': '办理时限（工作日）',
  'Due date expression': '截止日期表达式',
  'An expression giving an ISO date, e.g. add_working_days(assigned_at, 10)': '结果为 ISO 日期的表达式，如 add_working_days(assigned_at, 10)',
  'Candidate user (expression)': '指定办理人（表达式）',
  'Candidate unit (expression)': '指定办理单位（表达式）',
  'Instructions for the person who acts': '办理说明',
  'Status label': '状态名称',
  'What lists show while this step is open, e.g. 待审查': '此步骤待办理时，列表和事项页显示的状态，如“待审查”',
  'What lists show while this step is open (at an end event: once the case ends there)':
    '此步骤办理中时列表显示的状态（结束事件：事项在此办结后显示的状态）',
  'Status order': '状态顺序',
  'When several steps are open, lists show the label of the one with the highest number':
    '整数；几个步骤同时待办理时，显示顺序号最大的步骤的状态名称',
  'Status prefix': '状态前缀',
  "Put before the called process's status, e.g. 成果": '加在被调用流程的状态名称之前，如“成果”',
  'Append user task': '追加用户任务',
  'Create user task': '创建用户任务'
};

// The properties panel's header names the element's type ("User Task", "Timer Boundary Event (Non Interrupting)").
export const types = {
  'Task': '任务', 'User Task': '用户任务', 'Service Task': '服务任务', 'Script Task': '脚本任务',
  'Manual Task': '手工任务', 'Send Task': '发送任务', 'Receive Task': '接收任务', 'Business Rule Task': '业务规则任务',
  'Call Activity': '调用流程', 'Expanded Sub Process': '子流程（展开）', 'Collapsed Sub Process': '子流程（折叠）',
  'Event Sub Process': '事件子流程', 'Sub Process': '子流程', 'Ad Hoc Sub Process': '自由子流程', 'Transaction': '事务',
  'Start Event': '开始事件', 'End Event': '结束事件', 'Intermediate Throw Event': '中间抛出事件',
  'Intermediate Catch Event': '中间捕获事件', 'Boundary Event': '边界事件',
  'Exclusive Gateway': '排他网关', 'Parallel Gateway': '并行网关', 'Inclusive Gateway': '包容网关',
  'Event Based Gateway': '事件网关', 'Complex Gateway': '复杂网关',
  'Sequence Flow': '顺序流', 'Default Flow': '默认流向', 'Conditional Flow': '条件流向', 'Message Flow': '消息流',
  'Association': '关联', 'Data Input Association': '数据输入关联', 'Data Output Association': '数据输出关联',
  'Collaboration': '协作', 'Participant': '池（参与者）', 'Lane': '泳道', 'Process': '流程',
  'Data Object Reference': '数据对象', 'Data Store Reference': '数据存储', 'Text Annotation': '注释', 'Group': '分组'
};
const prefixes = {
  Message: '消息', Timer: '定时', Conditional: '条件', Signal: '信号', Error: '错误', Escalation: '升级',
  Compensate: '补偿', Link: '链接', Cancel: '取消', Terminate: '终止'
};
const TYPE_LABEL = new RegExp(`^(?:(${Object.keys(prefixes).join('|')}) )?(.+?)(?: \\(Non Interrupting\\))?$`);

function typeLabel(template) {
  const match = template.match(TYPE_LABEL);
  if (!match || !types[match[2]]) return null;
  const interrupting = template.endsWith('(Non Interrupting)') ? '（非中断）' : '';
  return `${match[1] ? prefixes[match[1]] : ''}${types[match[2]]}${interrupting}`;
}

export default function translateModule(locale) {
  const words = locale === 'en' ? {} : { ...palette, ...panel };
  function translate(template, replacements) {
    const text = words[template] || (locale === 'en' ? null : typeLabel(template)) || template;
    return text.replace(/{([^}]+)}/g, (_m, key) => (replacements || {})[key] ?? `{${key}}`);
  }
  return { translate: ['value', translate] };
}
