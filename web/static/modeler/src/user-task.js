// Palette and context-pad entries that create user tasks directly (plain tasks cannot run in this product).
import { is } from 'bpmn-js/lib/util/ModelUtil';

function UserTaskPad(contextPad, create, elementFactory, autoPlace, translate) {
  this.getContextPadEntries = (element) => {
    if (!is(element, 'bpmn:FlowNode') || is(element, 'bpmn:EndEvent') || element.type === 'label') return {};
    const append = (event, source) => {
      const shape = elementFactory.createShape({ type: 'bpmn:UserTask' });
      if (autoPlace) autoPlace.append(source, shape);
      else create.start(event, shape, { source });
    };
    const drag = (event, source) => create.start(event, elementFactory.createShape({ type: 'bpmn:UserTask' }), { source });
    return {
      'append.user-task': {
        group: 'model', className: 'bpmn-icon-user-task', title: translate('Append user task'),
        action: { click: append, dragstart: drag }
      }
    };
  };
  contextPad.registerProvider(this);
}
UserTaskPad.$inject = ['contextPad', 'create', 'elementFactory', 'autoPlace', 'translate'];

function UserTaskPalette(palette, create, elementFactory, translate) {
  this.getPaletteEntries = () => {
    const start = (event) => create.start(event, elementFactory.createShape({ type: 'bpmn:UserTask' }));
    return {
      'create.user-task': {
        group: 'activity', className: 'bpmn-icon-user-task', title: translate('Create user task'),
        action: { dragstart: start, click: start }
      }
    };
  };
  palette.registerProvider(this);
}
UserTaskPalette.$inject = ['palette', 'create', 'elementFactory', 'translate'];

export default {
  __init__: ['xsUserTaskPad', 'xsUserTaskPalette'],
  xsUserTaskPad: ['type', UserTaskPad],
  xsUserTaskPalette: ['type', UserTaskPalette]
};
