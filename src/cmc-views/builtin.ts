/** The built-in views by name, and the CLI's `--views` list (`lab`, `lab,gradient`). */
import { ConfigError } from '../errors.js';
import { describe } from '../validate.js';
import { BUILTIN_VIEWS, type BuiltinViewName, type View, type ViewSpec } from './view.js';
import { labL } from './lab-l.js';
import { labAb } from './lab-ab.js';
import { gradient, type GradientOptions } from './gradient.js';
import { halfLuminance } from './half-luminance.js';

/** The built-in view of a spec (as saved in a model or a recipe). */
export function builtinView(spec: ViewSpec): View {
  const fn = 'builtinView';
  if (spec === null || typeof spec !== 'object') throw new ConfigError(fn, 'spec', `must be { name, options? }, got ${describe(spec)}`);
  switch (spec.name) {
    case 'lab-l':
      return labL();
    case 'lab-ab':
      return labAb();
    case 'gradient':
      return gradient((spec.options ?? {}) as GradientOptions);
    case 'half-luminance':
      return halfLuminance();
    default:
      throw new ConfigError(
        fn,
        'spec.name',
        `must be one of ${BUILTIN_VIEWS.join(', ')}, got ${describe((spec as { name: unknown }).name)}`,
      );
  }
}

/** Names `--views` accepts: the built-ins, and `lab` for the pair lab-l, lab-ab. */
export const VIEW_LIST_NAMES = ['lab', ...BUILTIN_VIEWS] as const;

/**
 * The view specs of a comma-separated list: `lab` = `lab-l,lab-ab` (the paper's split, L first so
 * that L is the core view), `gradient`, `half-luminance`, `lab-l`, `lab-ab`. At least 2 views, no
 * view twice. `lab,gradient` -> lab-l, lab-ab, gradient.
 */
export function parseViewList(list: string, fn = 'cmc', arg = 'views'): ViewSpec[] {
  if (typeof list !== 'string')
    throw new ConfigError(fn, arg, `must be a comma-separated list of ${VIEW_LIST_NAMES.join(', ')}, got ${describe(list)}`);
  const specs: ViewSpec[] = [];
  for (const raw of list.split(',')) {
    const name = raw.trim();
    if (name === 'lab') specs.push({ name: 'lab-l' }, { name: 'lab-ab' });
    else if ((BUILTIN_VIEWS as readonly string[]).includes(name))
      specs.push(name === 'gradient' ? { name, options: { output: 'magnitude' } } : { name: name as BuiltinViewName });
    else throw new ConfigError(fn, arg, `must list views among ${VIEW_LIST_NAMES.join(', ')}, got '${name}' in '${list}'`);
  }
  const names = specs.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new ConfigError(fn, arg, `must not name a view twice, got ${twice} twice in '${list}'`);
  if (specs.length < 2)
    throw new ConfigError(fn, arg, `must give at least 2 views (CMC contrasts views with each other), got ${specs.length} from '${list}'`);
  return specs;
}
