"""Code tables of the registers: ethnic groups (GB/T 3304-1991) and the pairs of 登记管理部门 and
机构类别 that the unified social credit code allows (GB 32100-2015, Table 1 of §4.1).
"""

# GB/T 3304-1991 《中国各民族名称的罗马字母拼写法和代码》: two-digit codes of the 56 ethnic groups,
# plus 97 其他 (not identified) and 98 外国血统中国籍人士 (Chinese citizens of foreign origin).
ETHNIC_GROUPS: dict[str, str] = {
    "01": "汉族", "02": "蒙古族", "03": "回族", "04": "藏族", "05": "维吾尔族", "06": "苗族", "07": "彝族",
    "08": "壮族", "09": "布依族", "10": "朝鲜族", "11": "满族", "12": "侗族", "13": "瑶族", "14": "白族",
    "15": "土家族", "16": "哈尼族", "17": "哈萨克族", "18": "傣族", "19": "黎族", "20": "傈僳族", "21": "佤族",
    "22": "畲族", "23": "高山族", "24": "拉祜族", "25": "水族", "26": "东乡族", "27": "纳西族", "28": "景颇族",
    "29": "柯尔克孜族", "30": "土族", "31": "达斡尔族", "32": "仫佬族", "33": "羌族", "34": "布朗族",
    "35": "撒拉族", "36": "毛南族", "37": "仡佬族", "38": "锡伯族", "39": "阿昌族", "40": "普米族",
    "41": "塔吉克族", "42": "怒族", "43": "乌孜别克族", "44": "俄罗斯族", "45": "鄂温克族", "46": "德昂族",
    "47": "保安族", "48": "裕固族", "49": "京族", "50": "塔塔尔族", "51": "独龙族", "52": "鄂伦春族",
    "53": "赫哲族", "54": "门巴族", "55": "珞巴族", "56": "基诺族", "97": "其他", "98": "外国血统中国籍人士",
}
# A name as exports write it: with or without 族 (汉 / 汉族), so both resolve.
ETHNIC_CODE_BY_NAME: dict[str, str] = {
    **{name: code for code, name in ETHNIC_GROUPS.items()},
    **{name.removesuffix("族"): code for code, name in ETHNIC_GROUPS.items() if name.endswith("族")},
}

# GB 32100-2015 表1 统一社会信用代码中登记管理部门代码和机构类别代码: the first character names the
# registration authority, the second the kind of organization that authority registers. A pair not
# in this table cannot be issued (e.g. 94: 市场监管 registers no type 4).
AUTHORITY_TYPES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},  # 机构编制
    "2": {"1": "外国常驻新闻机构", "9": "其他"},  # 外交
    "3": {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构", "5": "仲裁委员会",
          "9": "其他"},  # 司法行政
    "4": {"1": "外国在华文化中心", "9": "其他"},  # 文化
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},  # 民政
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},  # 旅游
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},  # 宗教
    "8": {"1": "基层工会", "9": "其他"},  # 工会
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},  # 工商 (市场监管)
    "A": {"1": "军队事业单位", "9": "其他"},  # 中央军委改革和编制办公室
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},  # 农业
    "Y": {"1": "其他"},  # 其他 (no further kinds)
}
AUTHORITY_NAMES: dict[str, str] = {
    "1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政", "6": "旅游", "7": "宗教", "8": "工会",
    "9": "工商", "A": "中央军委改革和编制办公室", "N": "农业", "Y": "其他",
}


def authority_type_allowed(code: str) -> bool:
    """True when the first two characters of a USCC (登记管理部门, 机构类别) are a pair of GB 32100-2015
    Table 1. ``code``: an already normalized code (upper case)."""
    return code[1:2] in AUTHORITY_TYPES.get(code[:1], {})
