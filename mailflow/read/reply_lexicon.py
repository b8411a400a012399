"""The words of the reply reader: normalisation, predicate classes, negators, modality, percents.

Everything here runs on a *matching copy* of the text that has exactly one character per
character of the original (Traditional -> Simplified with OpenCC character by character, NFKC for
full-width forms, lower case), so a position found in the copy is the same position in what the
sender wrote. The classes are kinds of predicate (finished, ongoing, not started, attending,
asking for more time, blocked ...), not answers: what a clause means is decided in reply_clauses
from the class, the negation in front of it, the clause's modality and its dates.
"""

from __future__ import annotations

import re
import unicodedata

from mailflow.model import Intent
from mailflow.read.zh import CIRCLED, cn_number, simplified_char


# A few characters OpenCC leaves alone (or maps to two) that the lexicon needs.
_EXTRA = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u3000": " ", "\uff5e": "~",
          "\u00a0": " ", "\u2014": "-", "\u2013": "-", "\uff0e": ".", "\u2015": "-", "\uff05": "%",
          "\u7dca": "紧", "\u5605": "的", "\u4fc2": "是"}


def _norm_char(c: str) -> str:
    out = _EXTRA.get(c)
    if out is not None:
        return out
    out = c
    if c not in CIRCLED:
        n = unicodedata.normalize("NFKC", c)
        if len(n) == 1:
            out = n
    low = out.lower()
    if len(low) == 1:
        out = low
    return simplified_char(out)          # OpenCC knows every Traditional character, not only ours


class _NormTable(dict):
    """The str.translate table of _norm_char, filled as characters are first met: normalize is then
    one C loop over the text, not a Python call per character (it runs on every reply); as
    zh.SimplifiedTable does for the date reader."""

    def __missing__(self, code: int) -> str:
        out = self[code] = _norm_char(chr(code))
        return out


_NORM = _NormTable()


# Cantonese words for days, folded to the Mandarin ones the date reader knows (same length)
_YUE_DAYS = {"听日": "明天", "琴日": "昨天", "寻日": "昨天", "今日": "今天", "后日": "后天",
             "听朝": "明早", "听晚": "明晚"}
_YUE_RE = re.compile("|".join(_YUE_DAYS))


def normalize(text: str) -> str:
    """The matching copy: same length as `text`, one character for one."""
    out = text.translate(_NORM)
    return _YUE_RE.sub(lambda m: _YUE_DAYS[m.group()], out) if "日" in out or "听" in out else out


# --------------------------------------------------------------------------------------------
# Numbers

CN_NUMS = "零〇一二两三四五六七八九十百"     # a Chinese number in a percent (百分之八十五), read by zh.cn_number


# --------------------------------------------------------------------------------------------
# Predicate classes. Groups are tried in this order at each position, so a longer phrase of one
# class wins over a shorter word of another that it contains.

N = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"    # a small number in digits or Chinese
NS = r"[^,;。!?\n:\s]"                            # a character inside a clause
W = r"(?<![a-z'])"                                # English word start
WE = r"(?![a-z])"                                 # English word end
_HAN = r"[\u4e00-\u9fff]"
# work verbs that take a result (做完, 改好, 跑通, 搞掂) or a perfective 咗
_WORK_V = r"(?:做|弄|搞|写|改|交|发|跑|修|排|整理|处理|办|测|调|对|画|出|定|填|报|签|审|核|补|传|录|剪|拍|订|装|配|算|统计|准备|安排)"

KINDS: list[tuple[str, str]] = [
    # apologies and phrases that contain cue words but report nothing
    ("noise", r"抱歉(?:回复)?(?:晚了|迟了|延误)|不好意思(?:回复)?(?:晚了|迟了)|"
              rf"{W}(?:sorry for (?:the )?(?:delay(?:ed)?|late) (?:reply|response)|sorry for the delay|"
              rf"no rush|low risk){WE}|风险(?:不大|很小|较小|可控|不高|较低)|"
              # trouble with the mail itself (its attachment or link), not with the task
              r"(?:附件|链接|文件|邮件)[^,;。!?\n]{0,4}?(?:打不开|打唔开|下载不了|看不了|损坏|乱码)|"
              rf"{W}(?:(?:can't|cannot|couldn't|could not|unable to) (?:open|download|access) (?:the |your )?(?:attachment|file|link)|"
              rf"attachment (?:is )?(?:missing|broken|corrupt\w*)){WE}"),
    # explicit "no objection / no problem"
    ("noobj", r"准确无误|正确无误|无误|没有?错误?|无异议|没有?异议|无意见|没有?意见|(?:没有?|冇)问题|没毛病|没啥问题|"
              rf"{W}(?:no objections?|no problems?|not a problem|no worries|no issues?){WE}"),
    # not started yet -> progress 0
    ("notstarted", r"(?:还|尚|都)?(?:未|没有?)(?:开始|启动|动工|动手|开工|动(?![员态画]))|"
                   rf"{W}(?:not (?:yet )?started|haven't (?:yet )?started|have not started|not begun){WE}"),
    # handing the task to someone else (the name is read by replies._assignee)
    ("handover", r"(?:已经?)?(?:交|转)(?:咗|了)?(?:给|畀|俾)(?![我你])(?=[^,;。!?\n]{1,12}?(?:跟进|跟|处理|负责|去做|来做|做|接手|覆你|回复你))|"
                 r"(?:已经?)?(?:交|转)(?:咗|了)?(?:给|畀|俾)(?=(?:小|阿)[\u4e00-\u9fff](?:了|咗|喇|啦|吧|呗)?(?:[\s,;。!?~]|$))|"
                 r"我?(?:让|安排|叫|派)(?![我你大])(?=[^,;。!?\n]{1,8}?(?:去|来)?(?:做|负责|跟进|处理|跟))|(?<![要需得该])换人(?:负责|跟进)|换人(?=\s*[为成])|不归我们?(?:组|部门|团队|管)?|"
                 r"改由|转交|转给|移交|交接给|交由|改成由|换成由|改派|转派|"
                 r"(?:应该?|以后|今后|后续|之后)?由(?!我|本人)(?=[^,;。!?\n]{1,10}(?:负责|来做|来负责|处理|跟进|做|接手|接管|来跟))|"
                 r"应该是(?=[^,;。!?\n]{2,6}的)|(?<!我)(?<!我来)(?<!我会)接(?:手|管)|把[^,;。!?\n]{0,8}?交给(?!我)|(?:后面|后续|以后|之后|今后|往后)就?交给(?!我)|归(?!我)(?=[^\s,;。!?\n]{2,4}管)|"
                 r"(?:以后|今后|后续|往后)(?:这个|这件事|这块|此事)?(?=[^\s,;。!?\n我]{2,6}?(?:负责|来跟|跟进))|"
                 rf"{W}(?:reassign\w*|assign(?:ed|ing)? (?:it |this |that )?to(?! (?:me|us|this|that|it|the|a|an|my|our)(?![a-z]))|hand(?:ed|ing|s)? (?:it |this |that )?over|tak(?:e|es|ing) (?:it |this |that )?over|"
                 rf"(?:hand|pass)(?:ed|ing|es|s)? (?:it|this|that)(?: on| over)? to|"
                 rf"(?:handle|own|run|take care of|take) (?:it|this|that|over) (?:from now on|going forward|from here(?: on)?)|"
                 rf"(?<=[a-z] )(?:(?:will|'ll) (?:handle|own|run|take care of|look after|cover)|owns|handles|runs|covers) (?:it|this|that)|"
                 rf"transferr?(?:ed|ing)? (?:it |this )?to){WE}"),
    # the sender takes the task on (我来跟进 / 我这边会处理 / I'll take it): a commitment
    # (or acts on it at once: 马上处理 / 这就去办 / 立刻跟进)
    ("take", r"我(?:这边|们)?(?:来|会)(?:跟进|跟|处理|负责|搞|弄|做|安排|盯)|"
             r"(?:马上|立刻|立即|立马|这就|即刻|现在就)(?:去|来|就)?(?:跟进|处理|安排|办|弄|做|改|修|看)(?![了过咗完好])|"
             rf"{W}(?:i'll|i will|we'll|we will) (?:take it|take care of it|handle it|own it|look after it|get on it){WE}"),
    # uncertainty about attending or answering
    ("tent", r"不确定(?:能否|是否|能不能|会不会)?(?:参加|参会|出席|到场|与会)?|不一定|(?:没|没有|无)(?:把握|信心)|不敢保证|说不准|说不好|不好说|"
             r"待定|未定|暂定|看情况|视情况|到时候?再说|再说吧|稍后确认|晚点确认|晚些确认|"
             r"再确认|待确认|尚待确认|看看时间|(?:再|稍后|晚点|晚些|回头|迟啲|迟点|迟些)(?:回复|答复|覆|回你|告诉你|确认)|我再看看|再看一下|再看看|"
             r"确认不了|确定不了|定不下来|说不定|还不能确定|(?:尽量|争取)(?:参加|参会|出席|到场|赶到|嚟|来|到|过来|过去)|(?:唔|不)肯定|"
             rf"{W}(?:tentative(?:ly)?(?: accept(?:ed)?)?|not sure|unsure|tbd|tbc|to be confirmed|"
             rf"to be determined|will try|(?:i'll|i will) try|try to|if possible|get back to you|let you know|circle back){WE}"),
    # being away: a meeting decline, background in a task report
    ("absent", r"请假|休假|出差|年假|病假|婚假|产假|调休|"
               rf"{W}(?:on leave|out of (?:the )?office|on vacation|on holiday|travell?ing|business trip){WE}"),
    # declining a meeting
    ("decl", r"缺席|来不了|去不了|到不了|(?:参加|参会|出席|与会|过去)不了|"
             r"赶不过去|时间冲突|有冲突|冲突了|另有安排|有别的安排|有其他安排|另有会议|有别的会|没空|没时间参加|"
             r"无暇|不便参加|婉拒|谢绝|不能来|没法来|无法前来|不来了|(?:就)?不(?:过)?去了|唔(?:嚟|来|去)(?:喇|了|啦)?|撞(?:咗|了)(?:另一个|其他|别的)?会|撞期|(?<!得)唔得闲|冇空|冇时间|嚟唔到|去唔到|"
             rf"{W}(?:(?:can't|cannot|can not|won't|will not|unable to|not able to)(?: be able to)? make it|"
             rf"declin(?:e|ed|es|ing)|regrets?|schedule conflict|conflict|clash|will miss|another commitment|prior commitment|"
             rf"double[- ]booked|another meeting|"
             rf"(?:won't|can't|cannot|will not) be there){WE}"),
    # minutes objections that name a clause: 纪要第2条有误 / 第3点不对
    ("objx", rf"第\s*{N}\s*(?:条|点|处|段){NS}{{0,8}}?(?:有问题|问题|有误|不太?对|错|不太?准确|不太?正确|需修改|要修改|要改|需补充|要补充)"),
    # risk phrases that start like progress or delay words
    ("riskx", r"进度(?:落后|滞后|延误)|(?:延期|延误|延迟|逾期)风险|落后于?计划|"
              rf"{W}(?:delay risk|risk of (?:delay|slipping)|behind schedule|falling behind){WE}"),
    # a stage before production (deployed to staging / 部署到测试环境): progress, but a plain
    # completion beside it (Done. merged, deployed to UAT) is not taken back by it
    ("stage", r"(?:已经?)?(?:部署|发布|上线|推|发)(?:到|在|去)(?:了)?(?:测试|预发|预生产|uat|staging|qa)|"
              rf"{W}(?:deployed|released|pushed|shipped|rolled out)(?: it)? (?:to|on) (?:the )?(?:staging|test|qa|uat|dev|pre-?prod)\w*{WE}"),
    # partial completion and ongoing work -> progress
    ("partial", r"已?经?完成了?(?:初稿|草稿|初版|一稿|一版|大纲|框架|原型|一部分|部分|大部分|大半|一半|过半|"
                r"第[一二三四五六七八九十\d]+(?:阶段|部分|版|稿|步|轮|期|个))|完成了?(?:一半|过半|大半|大部分|部分)|"
                r"基本上?完成|(?<!尽)快要?完成|即将完成|接近完成|差不多完成|大体完成|初步完成|部分完成|大部分完成|"
                r"(?:尚|还)在进行|进行中|进行当中|处理中|推进中|开发中|测试中|跟进中|执行中|实施中|修改中|编写中|修复中|"
                r"设计中|整理中|准备中|排查中|沟通中|协调中|对接中|联调中|优化中|制作中|撰写中|"
                rf"在做|在弄|在处理|在写|在改|在跟进|在推进|在开发|在测试|在进行|在核对|在协调|在征集|在整理|正在|进度|进展|已开始|开始做了|"
                rf"{_WORK_V}紧|等紧|(?![很太较挺好常蛮超点啲些得])(?:{_HAN})(?<!时间)(?<!工期)(?<!排期)紧(?=[,，\s]|$)|(?:照|按)原?计划(?:进行|推进|走)?|"
                r"已启动|按计划(?:进行|推进|走)?|正常推进|一切正常|还要改|还需要?改|还得改|要返工|需要返工|"
                rf"{W}(?:except(?: for)?|apart from|other than|still needs?|remaining){WE}|除了|进展顺利|顺利推进|正常进行|还差|还剩|接近尾声|在收尾|收尾中|一大半|(?:就|只|仅)(?:差|剩)|差(?:一点点?|最后一?[步点些])|"
                r"(?:还|仍|尚|都)(?:没有?|未)(?:好|完|弄好|搞好|做好|写好|改好)(?![成全整善])|"
                r"(?:只是|仅是|还是|只有)(?:个|一个)?(?:初稿|草稿|初版|半成品|demo|draft)|"
                rf"(?:出|做|写|改|交|画)了?[一二两三四五六七八九十\d]+(?:版|稿|轮|个|份|页|章|部分)|"
                rf"待{NS}{{1,8}}?(?:对接|确认|反馈|回复|审核|审批|提供|配合|评审|签字|盖章|到货)|"
                rf"等待?(?!我){NS}{{1,8}}?(?:对接|确认|反馈|回复|审核|审批|提供|评审|到货)|"
                rf"{W}(?:in[- ]progress|working on|ongoing|on-going|wip|on track|on schedule|as planned|halfway|half[- ]done|"
                rf"almost (?:done|finished|complete|there)|nearly there|getting there|"
                rf"nearly (?:done|finished|complete)|mostly (?:done|finished)|"
                rf"partially (?:done|finished)|partly (?:done|finished)|under ?way|progressing|making progress|"
                rf"started|progress|waiting (?:on|for)){WE}|还在等|在等|等待中|(?:还|仍|仍然|依然)在(?=[^\s,;。!?])"),
    # asking for more time (on its own, without a date)
    ("delay", r"延期|延后|延迟|延误|推迟|推后|(?:往|向)后推|顺延|延长|宽限|展期|改期|"
              r"晚(?:[一两二三四五六七八九十\d几]+|一两)个?(?:天|日|周|星期|礼拜|月)|迟(?:少少|一点|一些|点|些)|迟几[天日]|迟[一两二三四五六七八九十\d]+[天日]|晚一点交|晚点交|晚些交|"
              r"多给?[一两二三四五六七八九十几\d]+(?:天|日)|多给[^,;。!?\s]{1,4}?[一两二三四五六七八九十几\d]+个?(?:天|日|周|星期)|"
              rf"{W}(?:postpon\w*|delay\w*|push(?:ed|ing)? (?:it |this |that )?(?:back|out)|extend\w*|"
              rf"extension|reschedul\w*|more time|another (?:week|day|few days|couple (?:of )?(?:days|weeks))|more days|a few more days|slip\w*|"
              rf"miss (?:the )?deadline|(?:won't|will not|wouldn't|isn't|aren't|not) (?:be )?(?:ready|ship|shipping|arrive|done|delivered|available) (?:until|till|before)|(?:arrive|arriving|arrives|be|is|are|come|coming) late|late delivery){WE}"),
    # moving a date: a delay (or a correction in minutes) only with a date after it
    ("move", r"(?:push|move|delay|postpone)(?:ed)?\s*(?:到|至)|延到|推到|推至|延至|改到|改至|改为|改成|调整为|调整到|调到|挪到|放到|顺延到|定在|改在|"
             rf"{W}(?:push(?:ed|ing|es)? (?:it |this |that |(?:the |our |my )?[a-z]+ )?(?:back |out )?to|mov(?:e|ed|ing) (?:it |this |that |the \w+ (?:date )?)?to|"
             rf"chang(?:e|ed|ing) (?:it |this )?to|(?:need|give me|have) (?:it |time )?(?:until|till)|"
             rf"(?:can|could) (?:it|this|that) wait (?:until|till)){WE}"),
    # blocked / at risk
    ("risk", r"有风险|存在风险|风险|卡住了?|卡在|卡壳|阻塞|受阻|被阻|堵住|停滞|搁置|有困难|有难度|遇到困难|遇到问题|"
             r"有问题|出问题|暂停|搞不定|够呛|完不成|做不完|做不了|完成不了|搞不了|干不了|赶不完|来不及|赶不上|跟不上|赶不及|"
             r"(?:交|给|发|弄|出|上)不了|才能?(?:开始|动手|开工|着手|处理|做|继续|推进|进行)|"
             r"(?:跑|起|打|连|登|用|进|调|装|编译|部署)不(?:来|通|开|上|起来|进去)|"
             r"(?:没|未)通过|没过(?![期年])|(?:无法|没法|不能)(?:开始|开工|推进|进行|继续)|开始不了|"
             r"(?:排|挤|抽|腾)不(?:上|进|出)|赶唔切|唔切|缺人手?|人手不足|资源不足|排满了?|排不过来|人手不够|(?:有点|有些|比较|很|太)?悬(?:了|乎)?(?![念赏挂空殊])|影响(?:进度|交付|上线|工期|排期)|"
             rf"(?:需要?|请求?|希望|急需|求){NS}{{0,8}}?(?:支持|协助|帮助|帮忙|帮手|支援|介入|协调|配合|拍板|决策|定夺)|"
             rf"{W}(?:blocked|blocker|blocking|stuck|at risk|risky|risks?|need (?:some )?(?:help|support|input|"
             rf"assistance)|needs? help|running late|failed|swamped|tied up|no bandwidth|"
             rf"(?:can't|won't|cannot) start (?:until|till|before)|didn't pass|can't (?:start|proceed|continue)|escalat\w*|"
             # what threatens the date, as 影响进度 does: affect/impact/jeopardize the timeline
             rf"(?:impact|affect|jeopardi[sz]e|threaten|hold up)s? (?:the |our |my |this )?(?:schedule|timeline|delivery|deadline|date|launch|release|progress)){WE}"),
    # objections to minutes
    ("obj", r"有异议|异议|反对|需修改|需要修改|要修改|请修改|建议修改|应修改|需更正|请更正|更正|纠正|改正|有误|有错|错了|"
            r"写错|写成了?|写的是|记的是|记成|补上(?!了)|加上(?!了)|删掉(?!了)|删除(?!了)|去掉(?!了)|不够(?:具体|清楚|明确)|请(?:写明|注明|明确)|(?:里|中|上)(?:没有?|未)(?:写|记|提到|提|体现)|漏写|(?:基本|原则上|大体上?)同意|斟酌|措辞|不太?对|不太?正确|不太?准确|不一致|有出入|遗漏|漏了|漏掉|需补充|要补充|请补充|补充一下|补充一点|应为|应是|应该是|"
            rf"{W}(?:objections?|object to|disagree\w*|incorrect|inaccurate|not (?:correct|accurate|right)|wrong|"
            rf"typo|mistake|corrections?|please (?:add|include|remove|delete|mention)|mostly agree|agree in principle|"
            rf"minor (?:changes|edits|comments|tweaks)|wording|is missing|left out|omitted|(?:minutes|notes|summary|record|it|they) (?:miss(?:es)?|omits?|leaves? out|skips?|(?:doesn't|don't|does not|do not|didn't) (?:mention|include|capture|reflect|record))|should (?:be|read)(?! (?:done|finished|completed|ready|fine|ok|good|there|merged|released|shipped|deployed|landed|live|out|sent|delivered))|please (?:fix|correct|amend|change|update)|should say|"
            rf"needs? (?:to be )?(?:changed|corrected|revised|fixed|amended)){WE}"),
    # agreement: negated it is an objection
    ("agree", r"同意|赞同|赞成|认可|接受|可以|行的|"
              rf"{W}(?:agree[ds]?|accept(?:ed|s)?|approved?|lgtm|sounds good|looks good|fine (?:with|by)|(?:happy|ok|okay|good) with){WE}"),
    ("confirm", rf"确认|确定|{W}confirm(?:ed|s|ing)?{WE}"),
    # attendance: negated it is a decline
    ("attend", r"参加|参会|出席|与会|到场|"
               r"(?:准时|按时|一定|肯定|会|能)(?:到|来)(?![\d期底月])|到时(?:候)?见|(?:线上|远程|在线|视频|电话|会议)(?:接入|参与|入会)|"
               rf"{W}(?:attend(?:ing)?|join(?:ing)?|be there|count me in|see you (?:there|then|tomorrow|on \w+)|i'll come|will come|"
               rf"(?:can |could |will |'ll )?make it|looking forward|dial in|call in|be on the call){WE}"),
    # finished (perfective or resultative aspect): negated it is ongoing / blocked / late
    ("done", r"已经?(?:全部|都|提前|按时|如期|准时)?(?:完成|做完|弄完|搞完|写完|改完|交付|提交|上线|发布|部署|发送|"
             r"发出|发给|上传|上载|修复|解决|处理完|处理好|搞定|搞掂|办完|办好|做好|弄好|交了|发了|寄出|更新|定稿|同步|"
             r"跑通|签署|归档|关闭|交稿|处理|给到|交给|交到|发(?![现生展言])|交|发(?:邮件|到|过去)|send|sent|"
             r"\s*(?:deliver|submit|send|upload|ship|finish|complete|merge|push|deploy|release|commit|publish|launch|fix|close)(?:ed|ted|d)?(?![a-z]))|"
             # the 把 construction puts the object before the verb: 已经把报告发给客户 / 把文件传到群里了
             # (把这个交给小陈 hands the task over: the handover class reads 交给)
             r"已经?把[^,;。!?\n]{1,12}?(?:发|寄|传|提交|上传|改|做|写|弄|处理|整理|修)(?:给|到|完|好|出|过去|出去)|"
             r"把[^,;。!?\n]{1,12}?(?:发|寄|传|提交|上传|改|做|写|弄|处理|整理|修)(?:给|到|完|好|出|过去|出去)[^,;。!?\n]{0,10}?了(?=[\s,;。!?~]|$)|"
             rf"已经?(?:全部|都)?{_WORK_V}(?:完|好)(?!成)|(?:交|发|寄|提交|上交)(?:过去|出去|上去|出)?了(?=[\s,;。!?~]|$)|(?:发|交|寄|传)(?:给|到)?你的?[^,;。!?\s]{{0,4}}?了(?=[\s,;。!?~]|$)|均已完成|都已完成|全部完成了?|"
             rf"{_WORK_V}(?:完|好|通|掂)(?:了|咗)|(?:上线|发布|部署|交付|提交|完成|合并|合入)咗|(?:搞|弄|整|做)掂|跑通|完工|完毕|竣工|✅|(?<![a-z])[a-z]{{1,20}}咗|{_WORK_V}咗|"
             r"完成了|交付了|提交了|上线了|发布了|发出了|发过去了|定稿了|"
             rf"{W}(?:done|completed|finished|delivered|submitted|shipped|deployed|resolved|fixed|closed|sent|all set|"
             rf"went out|sent out|handed in|turned in|wrapped (?:it |this |that |everything )?up|merged|released|landed|"
             rf"(?:uat|qa|tests?|review|ci) (?:passed|is green|green)|passed (?:uat|qa|review)|now ready|all ready|(?:is|are|went|now|been|already) live){WE}|(?<=[a-z])(?:'s| is| are) (?:now )?ready{WE}"),
    # bare 完成 / complete: done, or a commitment when the clause speaks of the future
    # (any work verb with the result 完 is one: 处理完 / 整理完 / 测完)
    ("finish", rf"完成(?![度率情时日后期])|交付|提交|{_WORK_V}完(?![成了咗])|搞定|{W}(?:complete|finish){WE}"),
    # acknowledgement
    # (好的 after a work verb is its result, not OK: 做好的文件 / 改好的版本)
    ("ack", r"已?收到|已阅|已读|已?知悉|知道了|明白|了解|(?<![做弄搞写改交发跑修排理办测调画填签补传录剪拍订装配算备])好的|好滴|好嘞|好哒|好呀|好吧|嗯嗯|接了|接下了?|"
            rf"👍|👌|{W}(?:ok(?:ay)?|okk|noted|got it|received|roger|sure|will do|yes|yep|yeah|"
            rf"acknowledged|copy that){WE}"),
    # possibility: makes an acceptance tentative and a feared delay a risk
    # (不一定 is one too, read by "tent" above, which comes first in CUE_RE)
    ("hedge", rf"(?<!不)可能|也许|或许|大概|恐怕|有机会|未必|不见得|应该(?=可以|能|会|没问题)|{W}(?:maybe|perhaps|possibly|probably|hopefully|fingers crossed|might|(?:may|could)(?= (?:have|be|not|need|miss|attend|join|slip|run|take|affect|impact|delay))){WE}"),
]

# kind -> (plain intent, negated intent)
MEANING: dict[str, tuple[Intent | None, Intent | None]] = {
    "noise": (None, None),
    "noobj": (Intent.CONFIRM, None),
    "notstarted": (Intent.PROGRESS, None),
    "handover": (Intent.REASSIGN, None),
    "take": (Intent.CONFIRM, None),
    "tent": (Intent.TENTATIVE, None),
    "absent": (Intent.DECLINE, None),
    "decl": (Intent.DECLINE, None),
    "objx": (Intent.OBJECTION, Intent.OBJECTION),
    "riskx": (Intent.RISK, None),
    "stage": (Intent.PROGRESS, None),
    "partial": (Intent.PROGRESS, Intent.RISK),       # 没有进展 -> risk
    "delay": (Intent.DELAY, None),                    # 不需要延期 -> nothing
    "move": (Intent.DELAY, None),
    "risk": (Intent.RISK, None),                      # 没有风险 -> nothing
    "obj": (Intent.OBJECTION, Intent.CONFIRM),        # 没有错误 -> fine
    "agree": (Intent.CONFIRM, Intent.OBJECTION),
    "confirm": (Intent.CONFIRM, Intent.TENTATIVE),
    "attend": (Intent.CONFIRM, Intent.DECLINE),
    "done": (Intent.DONE, Intent.PROGRESS),
    "finish": (Intent.DONE, Intent.PROGRESS),
    "ack": (Intent.CONFIRM, None),
    "hedge": (None, None),
}

CUE_RE = re.compile("|".join(f"(?P<{kind}>{pat})" for kind, pat in KINDS))

# A negator before a predicate, inside the clause: Chinese within 10 characters, English within 3
# words. "modal" negators deny the ability (无法完成: blocked), "deny" a contrastive 不是X (X is
# simply not what is being said), "plain" ones the fact (未完成: not yet).
NEG_ZH = re.compile(
    r"(?:(?P<modal>无法|不能够?|没法|没办法|没能|未能|难以|不可能|做不到|不会|唔能够?)"
    r"|(?P<deny>(?:不是|并非|并不是|而非)(?=已|在|$))"
    r"|(?P<plain>尚未|还未|还没有?|并未|并没有?|从未|没有|没|未(?!来|必)|无需|无须|唔|冇|"
    r"不(?!过|错|少|久|但|仅|管|论|好意思|客气|然|如|妨|只|光|断|同意|晚于|迟于|超过)|无(?!论)))"
    r"(?P<gap>[^,;。!?\n]{0,10})$")
NEG_EN = re.compile(
    r"(?<![a-z'])(?:(?P<modal>cannot|can't|can not|couldn't|could not|unable to|not able to|won't be able to)"
    r"|(?P<plain>not|never|no|yet to|without|no longer|far from|nothing(?:'s| is)?|none|nowhere near|not even close to|\w+n't))"
    r"(?P<gap>(?:\s+[a-z']+){0,3})\s*$")
# a negative subject (none of the items / no one / nothing) denies its clause's predicate however
# far it stands: "None of the items are finished"
NEG_EN_SUBJECT = re.compile(r"(?<![a-z'])(?:none|no one|nobody|neither|nothing)(?:\s+[a-z']+){0,7}\s*$")
A_NOT_A = re.compile(r"(能|可|是|会|要|行|有|用|需|对|得|去|来)[不没唔]\1")
ONTIME = re.compile(r"按时|按期|如期|准时|及时|前|之前|以前|内|on time|in time|by |before|deadline")
ONTIME_AFTER = re.compile(r"\s*(?:on time|in time|by the deadline|before the deadline|按时|按期|如期)")
# The future, for bare 完成 (a commitment) and for English participles ("will be done").
FUTURE_ZH = re.compile(r"会|将|能|可以|预计|预期|计划|争取|准备|打算|要|应该|估计|尽快|尽量|保证|确保|按时|"
                       r"如期|准时|前|之内|以内|内|明天|明日|后天|下周|下个|下月|明早|明晚|过(?:两|几|一两|[一二三四五])[日天]|这周|本周|今周|这个?星期|这个?礼拜|今个|回头|稍后|晚点|晚些|迟些|迟点|等下|等阵|一阵|一会|待会|马上|即刻|月底|年底|周[一二三四五六日天]|"
                       r"星期|礼拜|\d+\s*[月日号]|\d{1,2}\s*/\s*\d{1,2}|今天|今晚|晚上|下午|上午")
# a time already past (上周五, 昨天, 前几天): before a completion it dates a report, not a promise;
# masked before FUTURE_ZH is asked, whose 周五 / 前 would otherwise make 上周五就提交了 a commitment
PAST_TIME_ZH = re.compile(r"上(?:个|一)?(?:周|星期|礼拜|月)[一二三四五六日天末底初]?|昨[天日晚]|前[天日晚]|"
                          r"前(?:几|两|一两)天|早就|早已|刚才|刚刚")
# a perfective completion is still future after a modal right before it (明天就做完了 / 会交给你了)
# (就 only after a time still to come: 周一就交了 is past, 明天就交了 is not)
FUTURE_MODAL_ZH = re.compile(r"(?<![早已])(?:会|将|要)\s*$|"
                             r"(?:明天|后天|下周|下个|下星期|下礼拜|下月|马上|很快|过两天|过几天)[^,;。!?\n]{0,6}就\s*$")
# a completion followed by 之后/就: the time of a next step (搞掂之后发你 / 做完就发你), not a report
FUTURE_AFTER_ZH = re.compile(r"\s*(?:之后|以后|后(?![面来天])|就|再|会|然后|先)")
FUTURE_EN = re.compile(rf"'ll{WE}|{W}(?:will|shall|going to|gonna|plan(?:ning)? to|expect(?:ing)? to|should|once|as soon as|when|until|till|"
                       rf"hope to|aim to){WE}")
FUTURE_EN_AFTER = re.compile(r"\s+(?:by|before|within|tomorrow|next|later|soon)\b")

WHOLE_ACK = re.compile(r"好|行|可|妥|中|成|得|是的?|对的?|嗯{1,5}|k|y|ok|1")
# a bare "no" as the whole of a clause: to an invitation it says the sender is not coming
WHOLE_NO = re.compile(r"(?:unfortunately|sorry|i'm afraid|sadly|抱歉|不好意思|可惜)?[\s,]*(?:no|nope|no can do|不了|不行|不)"
                      r"[\s,.!。]*(?:sorry|抱歉|thanks|谢谢)?")
WHOLE_DONE = re.compile(r"(?:都|已经?|全)?(?:好了|ok了|妥了)")

# --------------------------------------------------------------------------------------------
# Modality of a clause

# asking for something (a request survives a question: 能否延期到12月14日？)
REQUEST_RE = re.compile(r"申请|能否|可否|可以吗|行吗|好吗|可不可以|能不能|行不行|好不好|得唔得(?!闲)|得不得|好唔好|ok唔ok|怎么样|麻烦|请求|希望|"
                        r"^\s*(?:可以|能)[^,;。!?]*吗|^\s*(?:can|could|would|may)\s+(?:we|i|it|this|that)(?![a-z])|"
                        rf"{W}(?:how about|what about|would [^,;.!?]{{0,24}}work|does [^,;.!?]{{0,24}}work|ok|okay|fine){WE}|"
                        rf"{W}(?:could we|can we|can i|could i|may i|may we|would it be|is it ok|please|request){WE}")
# a plan that no longer holds (本来说今天完成 / 原定12月1日): asserts nothing
PLAN_RE = re.compile(r"本来|原本|(?<![照按依])原计划|(?<![照按依])原定|本打算|(?<![a-z])(?:was supposed to|was going to|had planned to)(?![a-z])")
# (只要/as long as/provided/assuming/once: a condition that must hold first; a consequent
# promised on it asserts nothing either)
CONDITION_RE = re.compile(r"^\s*(?:要不是|如果|如|若|假如|假使|假若|如若|万一|要是|假设|一旦|除非|倘若|只要|前提是|条件是|"
                          r"有(?:任何)?(?:问题|疑问|需要))|的话|"
                          rf"^\s*(?:if|unless|in case|should there|any questions?|as long as|so long as|provided|providing|"
                          rf"assuming|once|on condition|depending on|subject to){WE}")
# what a courtesy if goes on with (if you need anything, if that works): no condition on the answer
_COURTESY_IF_EN = r"any|anything|needed|necessary|required|there (?:are|is|'s) any|that works|that's ok"
# a condition said after its consequent restricts the whole sentence (I'll attend, unless …;
# 同意，前提是预算不变); a courtesy if (有问题请联系 / if you need anything) does not, so only these
TRAILING_CONDITION_RE = re.compile(r"^\s*(?:除非|前提是|条件是|只要|看情况|视情况)|"
                                   rf"^\s*(?:unless|as long as|so long as|provided|providing|only if|assuming|"
                                   rf"subject to|depending on|on condition){WE}|"
                                   # a plain if restricts too, unless it is the courtesy one (if you need…)
                                   rf"^\s*(?:if|如果|假如|要是)(?!\s*(?:you|u|{_COURTESY_IF_EN}|"
                                   r"有任何|有问题|有疑问|有需要|需要|您|你))")
# an English condition inside the clause, after what it restricts: "I'd attend if it were later"
MID_CONDITION_EN = re.compile(r"(?<![a-z])(?<!even )(?<!as )(?<!what )(?:if|unless|as long as|provided|once)\s+"
                              rf"(?!you\b|u\b|{_COURTESY_IF_EN}|again\b|more\b)[a-z]")   # once again / once more: no condition
# verbs that introduce someone's words (老李说 / 我们组长表示): the core the report frames share
SAYING_ZH = r"说|讲|表示|反馈|告知"
# a third party's words or doings: reported speech ("供应商说", "vendor said", Cantonese 话)
REPORTED_RE = re.compile(r"(?<![一二三四五六七八九十\d])(?:(?<!的)说|表示|反馈说?|通知说?|告知|称|话(?![术题费筒]))|"
                         rf"{W}(?:said|says|told (?:me|us)|reports(?= (?:that|the|it|they|a|an|this)\b)|reported|informed us|"
                         rf"claims?|claimed|mentioned|mentions|insists?|insisted|assured us|assures us){WE}")
# the sender (or their team) as the subject
SELF_RE = re.compile(rf"我|咱|本人|{W}(?:i|i'm|i'll|we|we'll|we're|our|my){WE}")
# a date the sender waits for, not one they promise: 要等12月10日 / 12月4日才到 / waiting on
WAIT_RE = re.compile(r"等|才|直到|之后|以后|后才|"
                     rf"{W}(?:waiting|wait|until|till|after|not before|arrives?){WE}")
# a clause that promises delivery
PROMISE_RE = re.compile(r"'ll |'d be |最迟|最晚|最快|最早|earliest|soonest|not before|no earlier than|不晚于|不迟于|no later than|at the latest|new date|(?<=\d )latest|前|之前|以前|内|之内|以内|给|交|发|提交|完成|出|上线|提供|预计|估计|争取|保证|俾|要到|"
                        rf"{W}(?:by|before|within|send|deliver|submit|finish|get|have|will|'ll|expect|eta){WE}")

# --------------------------------------------------------------------------------------------
# Percent

PCT_RE = re.compile(
    r"(?P<sign>[-−负]\s*)?(?P<num>\d{1,4}(?:\.\d+)?)\s*(?:%|percent(?![a-z])|pct(?![a-z]))"
    rf"|(?P<cnpct>[{CN_NUMS}]{{1,6}})\s*%"
    rf"|(?P<neg>负)?百分之\s*(?P<baifen>[{CN_NUMS}\d]+)"
    r"|(?P<frac_d>[一二三四五六七八九十\d]{1,4})\s*分之\s*(?P<frac_n>[一二三四五六七八九十\d]{1,4})"
    r"|(?P<cheng>[一二两三四五六七八九十]|(?<!\d)\d)\s*成(?![功本员果立熟为绩长品型交])"
    r"|进度\s*:?\s*(?P<jindu>\d{1,3})(?![\d.%]|\s*(?:天|日|月|号|个|周|年|小时|成))"
    r"|(?:完成了?|done|finished|completed)\s*(?P<part_n>\d{1,2})\s*/\s*(?P<part_d>\d{1,2})(?![\d/])"
    # "2/5 done": the count before an English completion (a Chinese 2/5完成 may be a date)
    r"|(?<![\d/])(?P<part_n2>\d{1,2})\s*/\s*(?P<part_d2>\d{1,2})\s+(?:done|finished|completed|complete)(?![a-z])"
    rf"|{W}(?P<en_n>one|two|three|four|a)[- ](?P<en_d>thirds?|quarters?|fifths?){WE}"
    rf"|(?P<half>一半|过半|半数|{W}half(?:way)?{WE})")


# a percent before a modal or a word of certainty measures the sender's confidence
_CERTAINTY_AFTER = re.compile(r"\s*(?:会|能|可以|确定|肯定|保证|一定|没问题|把握|的把握|信心|"
                              r"(?:sure|certain|confident|will|can|guaranteed)(?![a-z]))")


def percents(norm: str, start: int, end: int) -> list[tuple[int, int, float, bool]]:
    """Every percent in norm[start:end] as (start, end, value, explicit); a value may be impossible
    (negative, above 100): the caller refuses it rather than clamping it."""
    out = []
    for m in PCT_RE.finditer(norm, start, end):
        if _CERTAINTY_AFTER.match(norm, m.end()):
            continue                         # "100%会按时交 / 100% sure": how certain, not how far
        value: float | None = None
        explicit = True
        if m.group("num"):
            value = float(m.group("num"))
            if m.group("sign"):
                value = -value
        elif m.group("cnpct"):
            value = cn_number(m.group("cnpct"))
        elif m.group("baifen"):
            value = cn_number(m.group("baifen"))
            if value is not None and m.group("neg"):
                value = -value
        elif m.group("frac_d"):
            d, n = cn_number(m.group("frac_d")), cn_number(m.group("frac_n"))
            value = 100.0 * n / d if d and n is not None and n <= d else None
            explicit = False
        elif m.group("cheng"):
            c = cn_number(m.group("cheng"))
            value = c * 10 if c is not None else None
        elif m.group("part_n") or m.group("part_n2"):
            n = int(m.group("part_n") or m.group("part_n2"))
            d = int(m.group("part_d") or m.group("part_d2"))
            value = 100.0 * n / d if d and n <= d else None
            explicit = False
        elif m.group("jindu"):
            value = float(m.group("jindu"))
        elif m.group("en_n"):
            n = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}[m.group("en_n")]
            d = {"th": 3, "qu": 4, "fi": 5}[m.group("en_d")[:2]]
            value = 100.0 * n / d if n <= d else None
            explicit = False
        elif m.group("half"):
            value, explicit = 50, False
        if value is not None:
            out.append((m.start(), m.end(), value, explicit))
    return out


# the object of a finished verb that is only part of the deliverable: 初稿已发 / first draft done
PARTIAL_OBJECT = re.compile(r"初稿|草稿|初版|一稿|一版|第[一二三四五六七八九十\d]+(?:版|稿|部分|阶段|批|轮)|一部分|"
                            r"大部分|前半|上半|一半|"
                            # a count out of a whole: 三个模块中的两个 / 5个里做了3个 / two of the three
                            r"[\d一二两三四五六七八九十几]+\s*个?[^,;。!?\d]{0,6}?(?:中|里|当中|之中)[^,;。!?\d]{0,6}?[\d一二两三四五六七八九十]+\s*个|"
                            rf"{W}(?:draft|first (?:version|draft|half|part|batch)|part of|phase \d|half|except|apart from|"
                            rf"(?:\d+|one|two|three|four|five|six|seven|eight|nine) (?:of|out of) (?:the |our )?(?:\d+|two|three|four|five|six|seven|eight|nine|ten)){WE}")
# work still left, said beside a completion: 还没写 / 还差 / not yet / still need
REMAINS = re.compile(r"还没|还未|尚未|仍未|还差|还要|还需|还得|还剩|"
                     rf"{W}(?:not yet|haven't yet|still (?:need|have|to)|remaining){WE}")
# what others do after the work is done (验收, 审批, review): not work left for the sender
OTHERS_STEP = re.compile(r"验收|审核|审批|审阅|批准|签字|"
                         rf"{W}(?:review(?:ed)?|approv\w*|sign[- ]off|accept\w*|feedback|verif\w*){WE}")
# asking the reader to do it (请确认, 麻烦确认, please confirm, can you confirm): no statement by the sender
ASKED_OF_READER = re.compile(r"(?:请|麻烦|烦请|劳烦|帮忙|帮我)\s*(?:大家|各位|您|你们?)?\s*(?:务必|准时|及时|按时|尽快)?\s*$|"
                             r"(?<![我你他她])(?:记得|别忘了|不要忘了|记住)\s*$|(?<![a-z])(?:remember to|don't forget to)\s*$|(?<![a-z])(?:please|pls|can you|could you|would you)\s*$")
# thanks for someone's doing (thanks for joining, 感谢大家参加): their act, not the sender's answer
THANKS_FOR = re.compile(r"(?:谢谢|感谢|多谢|辛苦)(?:大家|各位|你们?|您)?的?\s*$|"
                        r"(?<![a-z])(?:thanks?|thank you|thx)(?: (?:all|everyone|everybody|you all|guys))? for\s*$")
# a completion used as a modifier (已完成的任务, 做好的文件): it names a thing, asserts nothing
MODIFIER_AFTER = re.compile(r"的\s*(?![说話话])[\u4e00-\u9fff]")       # (弄好了的说: a Taiwanese particle)
# an embedded question: 确认是否收到 / check whether it arrived
EMBEDDED_Q = re.compile(r"是否|能否|有没有|(?<![a-z])whether(?![a-z])|"
                        r"([能可会要去来])[不没]\1")      # A-not-A: 能不能来 / 会不会按时完成 asks, asserts nothing
# a confirmation still to be made: 确认一下 / 需要确认 / before I can confirm (要 the modal, not the
# 要 of a noun: 纪要确认 / 摘要确认 are confirmed)
CONFIRM_LATER_BEFORE = re.compile(r"(?:需要|(?<![纪摘概提主重])要|得|先|想|等|待|再|会|将|稍后|晚点|回头|去)"
                                  r"(?:[^,;。!?]{0,8}?(?:和|跟|与|同|找|向)[^,;。!?]{1,8})?\s*$|"
                                  r"(?<![a-z])(?:need to|have to|will|can|could|to|let me|before i can|then)\s*$|'ll\s*$")
CONFIRM_LATER_AFTER = re.compile(r"\s*(?:一下|下|清楚|好再|完)|\s+with\s")
# words in quotation marks are mentioned, not said: 第5条“下周完成”不够具体
QUOTED_WORDS = re.compile(r'"[^"\n]{1,40}"|「[^」\n]{1,40}」|『[^』\n]{1,40}』|《[^》\n]{1,40}》')

# believing or hearing is not asserting: 我以为搞定了 / I thought it was done (counterfactual: not
# done), 听说 / 同事说 / I heard (someone else's word: not the sender's own report)
# (a wish is counterfactual too: 真希望已经做完了 / I wish it were done / if only)
# (so is what should have been and was not, and what almost was: 本该 / should've been / 差点就完成了)
BELIEF_RE = re.compile(rf"以为|真希望|但愿|希望已经|本该|本应|差点|差一点|几乎|"
                       rf"{W}(?:thought|assumed|wish|if only|should(?:'ve| have) been|almost|nearly){WE}")
HEARSAY_RE = re.compile(rf"听说|据说|据悉|据了解|据称|好像|似乎|貌似|(?:应该|估计|大概)(?:是|已经?)|理论上|按理说|照理说|名义上|我记得|印象中|"
                        rf"{W}(?:theoretically|in theory|on paper|technically|if i remember correctly|iirc|heard|"
                        # how it looks, or a wish to see it, is no report: looks done to me / can't wait to see it done
                        rf"(?:looks|seems|appears|look|seem) (?:to be )?(?:done|finished|complete|ready)|can't wait to|looking forward to|i think|i believe|according to|apparently|"
                        rf"reportedly|supposedly|pretty sure|fairly sure|i guess|i suppose|as far as i know|afaik){WE}")
# the sender as the one told (小张跟我说 / told me): a listener, not the subject of what is said
LISTENER_RE = re.compile(r"(?:跟|和|对|给|同|向)我们?(?:说|讲|反馈|表示|确认)|告诉(?:了)?我们?|通知(?:了)?我们?|"
                         rf"{W}(?:told|informed|assured|reminded|let)\s+(?:me|us)(?![a-z])")
# a third party named as the subject (not only through reported speech)
THIRD_RE = re.compile(r"供应商|采购|厂家|厂商|外包|物流|快递|对方|客户|甲方|乙方|合作方|印刷厂|工厂|法务|财务|"
                      rf"{W}(?:vendor|supplier|agency|contractor|courier|printer|partner|client|customer|carrier|"
                      rf"factory|legal|procurement|purchasing|they){WE}")
# lateness or waiting said of a third party: 要下周才到 / 再等几天 / won't ship until
THIRD_LATE_RE = re.compile(rf"才|要到|要等|再等|还要等|晚|还没|仍未|尚未|迟迟|还在|仍在|{W}(?:until|till|not before|late|delay\w*){WE}")
# a clause opened by a contrast after what came before
CONTRAST_RE = re.compile(rf"\s*(?:但是?|不过|可是|只是|就是(?=[^,;。!?\n]{{2}})|然而|{W}(?:but|however|though|although){WE})")
