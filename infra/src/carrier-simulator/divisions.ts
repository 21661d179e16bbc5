/**
 * Just enough of GB/T 2260 to name the places a parcel passes through: every province-level
 * division with the city of its sorting hub (its capital), every prefecture-level city of the
 * demo provinces (Henan, Hubei, Hunan) and the capitals elsewhere. A code of a known province
 * whose city is not listed is named after the province; the route is still plausible.
 */
interface Province {
  name: string;
  /** The city of the province's sorting hub, without 市. */
  hub: string;
}

const PROVINCES: Readonly<Record<string, Province>> = {
  '11': { name: '北京市', hub: '北京' },
  '12': { name: '天津市', hub: '天津' },
  '13': { name: '河北省', hub: '石家庄' },
  '14': { name: '山西省', hub: '太原' },
  '15': { name: '内蒙古自治区', hub: '呼和浩特' },
  '21': { name: '辽宁省', hub: '沈阳' },
  '22': { name: '吉林省', hub: '长春' },
  '23': { name: '黑龙江省', hub: '哈尔滨' },
  '31': { name: '上海市', hub: '上海' },
  '32': { name: '江苏省', hub: '南京' },
  '33': { name: '浙江省', hub: '杭州' },
  '34': { name: '安徽省', hub: '合肥' },
  '35': { name: '福建省', hub: '福州' },
  '36': { name: '江西省', hub: '南昌' },
  '37': { name: '山东省', hub: '济南' },
  '41': { name: '河南省', hub: '郑州' },
  '42': { name: '湖北省', hub: '武汉' },
  '43': { name: '湖南省', hub: '长沙' },
  '44': { name: '广东省', hub: '广州' },
  '45': { name: '广西壮族自治区', hub: '南宁' },
  '46': { name: '海南省', hub: '海口' },
  '50': { name: '重庆市', hub: '重庆' },
  '51': { name: '四川省', hub: '成都' },
  '52': { name: '贵州省', hub: '贵阳' },
  '53': { name: '云南省', hub: '昆明' },
  '54': { name: '西藏自治区', hub: '拉萨' },
  '61': { name: '陕西省', hub: '西安' },
  '62': { name: '甘肃省', hub: '兰州' },
  '63': { name: '青海省', hub: '西宁' },
  '64': { name: '宁夏回族自治区', hub: '银川' },
  '65': { name: '新疆维吾尔自治区', hub: '乌鲁木齐' },
};

/** Province-level municipalities: every code in them is the one city. */
const MUNICIPALITIES = new Set(['11', '12', '31', '50']);

/** Keyed by the first four digits, or by all six for county-level cities under a province. */
const CITIES: Readonly<Record<string, string>> = {
  // Henan
  '4101': '郑州市',
  '4102': '开封市',
  '4103': '洛阳市',
  '4104': '平顶山市',
  '4105': '安阳市',
  '4106': '鹤壁市',
  '4107': '新乡市',
  '4108': '焦作市',
  '4109': '濮阳市',
  '4110': '许昌市',
  '4111': '漯河市',
  '4112': '三门峡市',
  '4113': '南阳市',
  '4114': '商丘市',
  '4115': '信阳市',
  '4116': '周口市',
  '4117': '驻马店市',
  '419001': '济源市',
  // Hubei
  '4201': '武汉市',
  '4202': '黄石市',
  '4203': '十堰市',
  '4205': '宜昌市',
  '4206': '襄阳市',
  '4207': '鄂州市',
  '4208': '荆门市',
  '4209': '孝感市',
  '4210': '荆州市',
  '4211': '黄冈市',
  '4212': '咸宁市',
  '4213': '随州市',
  '4228': '恩施州',
  '429004': '仙桃市',
  '429005': '潜江市',
  '429006': '天门市',
  '429021': '神农架林区',
  // Hunan
  '4301': '长沙市',
  '4302': '株洲市',
  '4303': '湘潭市',
  '4304': '衡阳市',
  '4305': '邵阳市',
  '4306': '岳阳市',
  '4307': '常德市',
  '4308': '张家界市',
  '4309': '益阳市',
  '4310': '郴州市',
  '4311': '永州市',
  '4312': '怀化市',
  '4313': '娄底市',
  '4331': '湘西州',
  // Capitals (and the largest city) of the other provinces
  '1301': '石家庄市',
  '1401': '太原市',
  '1501': '呼和浩特市',
  '2101': '沈阳市',
  '2201': '长春市',
  '2301': '哈尔滨市',
  '3201': '南京市',
  '3301': '杭州市',
  '3401': '合肥市',
  '3501': '福州市',
  '3601': '南昌市',
  '3701': '济南市',
  '4401': '广州市',
  '4403': '深圳市',
  '4501': '南宁市',
  '4601': '海口市',
  '5101': '成都市',
  '5201': '贵阳市',
  '5301': '昆明市',
  '5401': '拉萨市',
  '6101': '西安市',
  '6201': '兰州市',
  '6301': '西宁市',
  '6401': '银川市',
  '6501': '乌鲁木齐市',
};

export interface Place {
  /** Province-level code, the first two digits. */
  province: string;
  /** The city a parcel is picked up in or delivered to, e.g. 驻马店市. */
  city: string;
  /** The hub the province's parcels are sorted in, e.g. 郑州转运中心. */
  hub: string;
  /** The hub's city, e.g. 郑州市. */
  hubCity: string;
}

/**
 * Why a code is refused, or undefined when it names a prefecture- or county-level division of a
 * known province. A province-level code (`xx0000`) is too coarse to deliver to.
 */
export function divisionCodeProblem(code: string): string | undefined {
  if (!/^\d{6}$/.test(code)) return 'must be a 6-digit GB/T 2260 code, e.g. 411702';
  if (!(code.slice(0, 2) in PROVINCES)) return `has no known province (${code.slice(0, 2)})`;
  if (code.endsWith('0000')) return 'names a whole province; give the county or city';
  return undefined;
}

/** The place of a code that passed `divisionCodeProblem`. */
export function placeOf(code: string): Place {
  const prefix = code.slice(0, 2);
  const province = PROVINCES[prefix];
  if (!province) throw new Error(`unknown province in division code ${code}`);
  const city = MUNICIPALITIES.has(prefix)
    ? province.name
    : (CITIES[code] ?? CITIES[code.slice(0, 4)] ?? province.name);
  return {
    province: prefix,
    city,
    hub: `${province.hub}转运中心`,
    hubCity: MUNICIPALITIES.has(prefix) ? province.name : `${province.hub}市`,
  };
}
