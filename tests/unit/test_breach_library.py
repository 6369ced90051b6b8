"""The generic breach library hears bad practice said in the speaker's own words, and stays
silent on good practice that shares its words (refusals, warnings, explaining the rule).

Every sentence here was written for this test; none comes from an evaluation set.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from pathlib import Path

import pytest

from simulator.bank.breaches import DEFAULT_LIBRARY_PATH
from simulator.bank.loader import load_bank, shipped_bank_paths
from simulator.bank.model import Question
from simulator.scoring.judge import Judge
from simulator.text.normalise import normalise
from tests.fakes import real_judge

TABLES = tomllib.loads(DEFAULT_LIBRARY_PATH.read_text(encoding="utf-8"))["breaches"]
LABEL_TO_ID = {(t["language"], t["label"]): t["id"] for t in TABLES}
MIN_EXAMPLES_HEARD = 0.8

# Good practice that shares the breaches' words: none of these is bad practice.
GOOD_ZH = [
    "请不要把验证码告诉任何人，包括我们的工作人员。",
    "我会提醒他验证码千万别告诉别人。",
    "我会告诉他，别人的电话属于个人隐私，我们不能提供。",
    "核实身份后再帮他重置密码。",
    "我先向他道歉，帮他换了新的，又陪他去货架上检查了其他牛奶的日期。",
    "顾客拿来的杯子有裂缝，我直接给她换了一个新的。",
    "最后把重点写在纸上给他，有问题可以直接来柜台找我。",
    "五千块我个人定不了，我不想随口答应您又做不到。",
    "别的客户的地址，我不愿意也不能透露给任何人。",
    "系统真出了故障，我会如实告诉客户，约好几点给他回电。",
    "我绝不会把客户名单，或者他们的手机号，转到工作群。",
    "这是我们部门的问题，我不会跟客户说是别人在拖。",
    "之前有位同事把客户的身份证照片发错了人，我马上帮他上报了。",
    "我会打给客户更正：上次我说两天能到，其实要一周，是我说错了，真的抱歉。",
    "如果是系统没推送，我就手动把单子推给仓库，让他们今天补发。",
    "我跟客户说过已经退款，其实财务还没批，是我看错了，我马上道歉并跟进。",
    "有位新同事误把客户的差评标成已解决，我帮她重新打开了工单。",
    "核实之后省了很多来回沟通的时间。",
    "客户的信息都对上了，我才帮他办理。",
    "我来回打了几次电话才联系上客户。",
    "查下来是之前的同事记错了，我马上更正并道歉。",
    "我会跟客户说系统在维护，今天办不了，明天上午我主动回电。",
    "有个客户扬言要把我们的聊天记录挂到网上，我先稳住他，再报给主管。",
    "我们不会索要您的密码和验证码。",
    "我会提醒客户不要把卡号和密码发给陌生人。",
    "如果主管不在，我会等他回来审批，不会用他的账号。",
    "超过限额的业务，我会按流程提交审批。",
    "我不会让客户加我私人微信，有问题请拨打我们的官方热线。",
    "客户的录音属于公司资料，我不会外传。",
    "他骂我，我也会保持冷静，先听他说完。",
    "我会如实告诉客户，划痕不属于质量问题，不能按质量问题退货。",
    "客户要求转人工，我会马上帮他转接。",
    "不管客户是哪里人、什么口音，我都一视同仁。",
    # A rule granted and turned round, the customer's accusation, a mistake owned up to.
    "规定就是规定，但是我会帮您问问主管。",
    "客户一打进来就说“你们卖假货”，我先请他慢慢说。",
    "我会打给客户：上次我说周三能到，其实要下周一，是我说错了，非常抱歉。",
    "超出了我能批的金额，我会提交给主管。",
    # Documents of one's own shown to a colleague; "同一个人" is no one's private record.
    "我把整理好的资料给技术部看，他们才同意去查机房。",
    "全渠道的话，后台要能看到同一个人的记录，客户就不用讲三遍。",
    "客户抱怨公司政策，我会解释政策的原因，不会跟着抱怨。",
    "我会先道歉，然后把出错的地方如实告诉客户。",
    "这个问题我解决不了，我会转给负责的同事并跟进。",
    "为了您的账户安全，请您在手机银行里自己修改密码。",
    "客户在电话里报出了完整卡号，我会提醒他以后不要在电话里说。",
    "我会先核实身份，再告诉他账户余额。",
    "我会把客户的投诉记录在系统里，交给相关部门处理。",
    "客户的信息只在内部系统里处理，绝不发到个人邮箱。",
    "我会跟客户说明，我没有权限答应这个赔偿，需要向上申请。",
    "我会请他留下联系方式，由官方热线回电。",
    "我会耐心地再解释一遍，直到客户明白。",
    "如果他情绪激动，我会先安抚，等他平静下来再处理。",
    "发现自己算错了，我会主动打电话告诉客户并更正。",
    "我会按公司规定办理，规定以外的要求我会向主管申请。",
    "退款需要三到五个工作日，我会如实告诉客户。",
    "同事出了错，我会私下提醒他，而不是当众指出。",
    "我会请客户通过官方App上传身份证照片。",
    "挂电话前我会确认客户没有别的问题了。",
    "客户说要投诉，我会告诉他投诉的渠道。",
    "为了保护隐私，我们不会把录音发给第三方。",
    "验证码是保护您账户的最后一道关，请您自己保管好。",
    "客户说别家更便宜，我会如实介绍我们产品的优缺点。",
    "客户问能不能用别人的账号办理，我会告诉他必须本人办理。",
    "我会提醒客户，不要为了退款编造理由。",
    "客户有口音听不清，我会礼貌地请他再说一遍。",
    "老年客户不会用App，我会一步一步耐心教他。",
    "我不会在背后议论公司和领导。",
    "客户想要我的私人电话，我会婉拒，留下工作热线。",
    "我会把情况如实记录，交接给下一班同事。",
    "需要输入密码的时候，我会请客户在密码键盘上自己输入。",
    "客户威胁要投诉，我也会心平气和地帮他解决问题。",
    "我会提醒客户，任何人索要验证码都是诈骗。",
    "我会直接拒绝他，告诉他别人的联系方式属于隐私，但可以帮他转达留言。",
    "这种要求我会直接拒绝，然后告诉他正确的办理渠道。",
    # Words a breach's pattern shares with good practice: 挂失 is not hanging up, freezing
    # an account for the customer is help not a threat, a store is not a private channel,
    # and what a courier lost (被) is a fact told, not blame passed on.
    "客户说卡丢了，我就先帮他把卡挂失了，再慢慢查。",
    "卡被盗刷的话，我就马上帮您冻结账户。",
    "不方便线上操作的，我会告诉他可以到线下门店办理。",
    "有位客户的包裹被快递弄丢了，我先跟他道歉，再帮他申请补发。",
    # Reviews, tickets and figures honestly handled.
    "客户满意的话，我会礼貌地请他对这次服务做个评价。",
    "问题解决了、客户确认以后，我才关闭工单。",
    "我的服务得到了很多客户的好评，满意度一直在组里前三。",
    "收到差评我会回访客户，了解原因再改进。",
    "我会把投诉如实录进系统，交给相关部门处理。",
    "客户打来说他的手机屏幕坏了，我先帮他查保修。",
    "我之前跟一位客人说他的电脑坏了在保修内，后来发现说错了，马上打回去更正。",
    "虽然这事不怪我，我还是先跟客户道歉，再去催仓库。",
    "我不会在群里说是谁在拖后腿，会私下跟同事沟通。",
    "如果我们确实没有这款，我会先帮您查查有没有类似的型号。",
    "我从来不说“这事不归我管”，别的部门的事我也帮客户找到人。",
    "客户要求我把他邻居的电话给他，我跟他说这个不能给。",
    "客户要求我把他邻居的电话给他，我拒绝了。",  # README, "Only your own act counts"
    "我从不说“这不归我管”。",  # README
    "我要是随口答应您，到时候兑现不了更坑您。",  # README
    "一听口音就贴标签反而会出事。",  # README
    "老人不会用智能手机，他听两句就挂了。",  # README
    "如果事情比较急，我会把我的电话留给同事，万一有问题还能找到我。",  # README
    "有客户希望我假装没收到他的退货，我没有答应。",
    "客户骂我们是骗子公司，我先道歉，再把扣费明细一条条讲清楚。",
    "在微信上先回一句，告诉他我们已经在电话里处理了。",
    "找客服要排队，换一个客服又得重新讲一遍。",
    "银行那边防诈骗变成很大一块，每天都在帮老人确认是不是被骗。",
    "有一次我只口头交接，没留记录，第二天客户等不到回电，从那以后我都写工单。",
    "大家吵来吵去，其实是因为没人去看文件里是怎么写的。",
    "我一定帮您申请全额退款，批下来第一时间告诉您。",
    "退款我肯定会跟进到底，有结果马上打给您。",
    "结束时我会请他方便的话给个评价，不过不会硬要。",
    # Sharing the words of the shapes added on 12-06 (a complaint kept from the manager,
    # "规定就是这样" as the whole reply, judging where a caller is from).
    "投诉不管大小都要如实上报，不能想着免得领导知道。",
    "客户投诉的小问题我当场解决，也会记下来报给主管。",
    "我不会只回一句规定就是这样，会把原因讲清楚。",
    "我不会根据来电归属地判断客户是哪里人。",
    "夜班来的常常是急事，所以我会特别提醒自己，再累语气也要稳。",  # 特别提醒 is not 别提
    # Sharing the words of the shapes added on 12-06, later (data sent over a chat app,
    # one's own login handed over).
    "我的密码不会告诉任何人，包括同事。",
    "客户的身份证号码我只在系统里核对，绝不截图发给别人。",
    "客户把身份证拍照发给我们的官方邮箱，我核对完就删掉。",
    "交接时我在系统里写清楚，不会把证件号拍照发给同事。",
    "客户在微信上问身份证过期了怎么办，我告诉他去网点办理。",
    "客户在群里晒了自己的卡号，我马上私信提醒他删掉。",
    "客户的身份证号码我从来不发到微信群里。",  # 不 inside the match, not before it
]

GOOD_EN = [
    "I wouldn't just say sorry, policy is thirty days, and end the call.",  # README
    "Please never share your password or the code we text you with anyone, including us.",
    "I'd remind him not to give his PIN to anyone who calls.",
    "I'd explain that another customer's phone number is private, so I can't share it.",
    "I'd verify their identity first and then reset the password.",
    "We will never ask for your full card number or your PIN.",
    "If my manager is away, I'd wait for his approval rather than use his login.",
    "If it's over the limit, I'd follow the approval process.",
    "I'd never drop the security check, even for regulars whose voice I know.",
    "If the waiver is over my limit, I'd take it to my supervisor the same day.",
    "I'd set up a plan so each payment is within what they can afford.",
    "I'd log the complaint and tell my supervisor, so she knows what happened.",
    "Even if it's over my limit, I'd never just process it; I'd ask my team leader.",
    "I'd never ask a customer to add me on my personal WhatsApp.",
    "The recording belongs to the company, so I'd never post it anywhere.",
    "Even if they shout at me, I'd stay calm and let them finish.",
    "I'd explain honestly that a scratch isn't a manufacturing fault.",
    "If a customer asks for a human, I'd transfer them straight away.",
    "I treat every caller the same, whatever their accent or where they're from.",
    "If a customer complains about our policy, I'd explain the reason behind it.",
    "I'd apologise and tell the customer exactly what went wrong.",
    "If I can't solve it, I'd pass it to the right team and follow up myself.",
    "For security, I'd ask them to reset their password in the app themselves.",
    "If a customer starts reading out their card number, I'd stop them and remind them not to.",
    "I'd check their identity before telling them the balance.",
    "I'd log the complaint and pass it to the team that handles it.",
    "Customer data stays in our systems, I'd never send it to my personal email.",
    "I'd say I don't have the authority to promise compensation, but I'll request it.",
    "I'd call back from the official line, not from my own phone.",
    "I'd patiently explain it again until they understand.",
    "If they're upset, I'd calm the situation before dealing with the problem.",
    "If I made a mistake, I'd call the customer back and correct it.",
    "Requests outside the policy go to my supervisor for approval.",
    "I'd be honest that refunds take three to five working days.",
    "If a colleague made a mistake, I'd mention it to them privately.",
    "I'd ask them to upload their ID through the official app.",
    "Before ending the call, I'd check there's nothing else they need.",
    "If they want to complain, I'd tell them how to make a complaint.",
    "I'd keep the recording confidential and never share it outside the company.",
    "I'd remind them that the code is only for them and no one else should see it.",
    "I'd tell the customer honestly what the product can and can't do.",
    "If someone asks to use another person's account, I'd explain it has to be the holder.",
    "I'd warn the customer that inventing a fault to get a refund isn't allowed.",
    "If I can't understand their accent, I'd politely ask them to repeat.",
    "Older customers may need more time, so I'd walk them through the app step by step.",
    "I'd never speak badly about the company or my manager to a customer.",
    "If they ask for my personal number, I'd politely decline and give the team line.",
    "I'd write clear handover notes for the next shift.",
    "When a password is needed, I'd ask them to type it on the keypad themselves.",
    "I'd agree that the wait was too long and apologise for it.",
    "I'd tell them the limit is there to protect their account.",
    "Even if they threaten to complain, I'd stay polite and keep helping.",
    "I'd turn the request down politely and explain the proper way to get it.",
    "I'd just say no to sharing her address, and offer to pass on a message.",
    # Following up is not skipping checks; a call ends politely, not abandoned.
    "I'd check back in with them after it's delivered.",
    "I'd make sure they've got a reference number before we hang up.",
    "I'd end the call according to policy and note what happened.",
    # Reviews, tickets and figures honestly handled.
    "I'd only close the ticket once the customer confirms it's fixed.",
    "If they were happy with the help, I'd invite them to leave a review.",
    "I'd never mark a ticket as resolved before the customer agrees.",
    "Bad reviews tell us what to fix, so I'd never delete them.",
    "My customer scores were good because I followed every case through.",
    "If they keep swearing after one warning, I end the call and log what was said.",
    "I'd never tell anyone \u201cthat's not my department\u201d; I find the person who can fix it.",
    "I could pass on a message or take their details so the other customer can call them.",
    "If the system really is down, I tell them so and give them a time I'll call back.",
    "A colleague once sent a customer's bank details to the wrong email, and I reported it.",
    "If the abuse goes on, I give a calm warning that I will end the call.",
    "I'd check the account and then see if a refund is possible.",
    "Customers often send us photos on WhatsApp and I attach them to the ticket.",
    "We have your address on file, so the replacement goes straight there.",
    "Saying 'let me check that for you' buys me time to look it up properly.",
    "The caller shouted at us and demanded that I read out his wife's balance; I said I couldn't.",
    "Rules are rules, but I'd still ask why they're late and look for what I can offer.",
    "That amount is more than I can waive on my own, so I'd put it to my supervisor.",
    "I'd say, you'll hear from us by Thursday, I promise.",
    "I helped a colleague who was new to the team.",
    "We remind customers never to send their card number over WhatsApp.",
    "I'd never read them the phone number, however genuine they sound.",
    "I wouldn't change anything without telling my supervisor.",
    "I raise a billing ticket and give them the reference number.",
    "I read back the address they gave me to confirm it before I send the parcel.",
    "I'd check whether I can keep you on your current price, and if not, find a cheaper plan.",
    "I can't keep him on the old price, but I'd go through the cheaper plans with him.",
    "I'd never try to get people off the line fast just to keep my handle time down.",
    "My weakness is that sometimes I promise to check too many things and stay late.",
    "I'd never bring up an upgrade while the problem is open; it sounds like I'm using "
    "their complaint to sell.",
    "Customers sometimes WhatsApp us a screenshot of the error, and I add it to the ticket.",
    "When the customer WhatsApps us, I ask them never to send their ID number in the chat.",
    "If her account is still open, I'd use the chat to tell her the refund is done.",
    "I don't want to waste their time, so I keep the security questions short and friendly.",
]

# Answers written in the style of real candidates: (text, language, the id it must be heard as).
BRIEF_ANSWERS = [
    ("我每通电话结尾都跟客户说麻烦给个五星哦，不然我要扣钱的", "zh", "game_metrics"),
    ("待会儿麻烦您一定给个五星，这个对我特别重要", "zh", "game_metrics"),
    ("If it's their wife I'd usually just help them out and read back the address", "en",
     "privacy"),
    ("I'd just tell him not to worry, I'll make sure he stays on his current price", "en",
     "false_promise"),
    ("that saves me raising a refund request; no point opening a ticket for it", "en",
     "brush_off"),
    ("If someone asks a second question I tell them to check the FAQ so I can keep my numbers "
     "up", "en", "brush_off"),
    ("there's no need to raise anything, I keep the call short and move on to the next one",
     "en", "brush_off"),
    ("您放心，这个我肯定给您全额退款，再补一张券，其实能不能批下来我也不确定", "zh",
     "false_promise"),
    ("我会直接跟他说，这几笔钱我们肯定会全额退给您，一般二十四小时内就到账", "zh",
     "false_promise"),
    ("So I'd just read them the phone number, it's not that private anyway", "en", "privacy"),
    ("I'd put in another fifty next week with different notes so it doesn't get flagged", "en",
     "bypass_rules"),
    ("the chatty ones, I find an excuse to transfer them and get the next call", "en",
     "brush_off"),
    ("我就私下找了一个认识的开发小哥帮忙改了订单状态，没报备主管", "zh", "bypass_rules"),
    ("特别难缠的客户，我就找理由转给别的组", "zh", "brush_off"),
    ("结束前我会跟客户说给个五星我才好交差", "zh", "game_metrics"),
    ("说实话主要是领导的问题，同事也不太行，好几个都在摸鱼", "zh", "badmouth"),
    ("我会直接让他把银行卡号、登录密码和刚收到的验证码报给我，我帮他登进去看看", "zh",
     "sensitive_data"),
    ("系统里我权限不够的话，我就用组长的账号先提交上去", "zh", "bypass_rules"),
    ("I'd just waive it, the limit is more of a guideline really", "en", "bypass_rules"),
    ("您以后别打总机了，直接加我私人微信", "zh", "private_channel"),
    ("我会把他骂人的录音剪出来自己发到网上", "zh", "publish_customer"),
    ("他凶我也凶回去", "zh", "argue"),
    ("我说不知道，你再等等吧，仓库那边的事我也管不了", "zh", "blame_others"),
    ("I'd tell them exactly what I think of them", "en", "argue"),
    ("我会悄悄提醒客户，随便找个划痕说是质量问题", "zh", "coach_cheat"),
    ("人工入口可以藏深一点，客户找不到就放弃了", "zh", "brush_off"),
    ("碰到北方口音的我会说话硬一点", "zh", "discriminate"),
    ("Honestly, I'd agree with them: management just want more profit", "en", "badmouth"),
    ("考核的话满意度其实有办法刷，找熟人冒充客户打好评就行", "zh", "game_metrics"),
    ("工单超时了就让系统自动标成已解决，超时率马上下来", "zh", "game_metrics"),
    ("I'd just mark them all as resolved before the weekly report so the numbers look good",
     "en", "game_metrics"),
    ("您这个问题真不怪我，是我们技术部那帮人太拖拉了", "zh", "blame_others"),
    ("价格是公司定的，又不是我定的，我也没办法", "zh", "blame_others"),
    ("我干脆把那个工程师的手机号给了客户，让他自己去催", "zh", "privacy"),
    ("被否了我就绕过组长，直接去找他的上级", "zh", "ignore_team"),
    ("不行我就偷偷按我的办法做，做出效果再说", "zh", "ignore_team"),
    ("您要是嫌贵，可以去看看别家", "zh", "brush_off"),
    ("If the boss says no, I'd just go over my manager to the director", "en", "ignore_team"),
    ("在线客服遇到难的问题，我就说稍等，然后就不回了", "zh", "brush_off"),
    ("麻烦的单子我就挑着不接，留给后面的同事", "zh", "self_serving"),
    ("不买的话我就一直讲，讲到他买为止", "zh", "hard_sell"),
    ("听口音是外地的，我就随便应付一下", "zh", "brush_off"),
    ("客户不满意的话，我会建议他去别家", "zh", "brush_off"),
    ("他要是投诉我，我就说我知道你住哪", "zh", "threaten"),
    ("When the parcel hasn't left yet, I'd still say it shipped this morning.", "en", "dishonesty"),
    ("If my supervisor's out, I log in with his credentials and approve it myself.", "en",
     "bypass_rules"),
    ("Long complaints I just keep marking as under review until they give up.", "en",
     "brush_off"),
    # Shapes that run across a comma (a pattern with "，" reads the rest of the sentence).
    ("重复的留言我不理，直接删了，省得占我时间", "zh", "brush_off"),
    ("难缠的我会说系统很忙，让他晚点再来电话", "zh", "dishonesty"),
    ("我会把投诉客户的名单，连同他们的手机号，发到销售的群里", "zh", "publish_customer"),
    ("退款慢的话我就跟客户说是技术部门在拖", "zh", "blame_others"),
    ("When a call looks long, I'd claim the system crashed and ring off.", "en", "dishonesty"),
    ("I'm good at telling callers what they want to hear.", "en", "dishonesty"),
    # The attacker's versions of the excuses above: refused after the "but", the speaker
    # making others do it, owning up denied.
    ("Rules are rules, but there's nothing I can do about it.", "en", "refuse_help"),
    ("规定就是规定，没办法。", "zh", "refuse_help"),
    ("我会让你们先把理财产品推销给他。", "zh", "hard_sell"),
    ("他说是她老公，我就把她的资料发给他了。", "zh", "privacy"),
    ("我帮他查一下那个人的消费记录，告诉他就行。", "zh", "privacy"),
    ("其实还没发货，我不会说是我说错了。", "zh", "dishonesty"),
    # Casual shapes from new writers (written for this test).
    ("I'd message my friend in billing on WhatsApp with the customer's card number so he can "
     "sort it.", "en", "sensitive_data"),
    ("I'd tell them the lady they talked to was new, so it's her fault.", "en", "blame_others"),
    ("出了问题也怪不到我头上，是别的部门的事。", "zh", "blame_others"),
    ("I'd tell the customer billing are useless, honestly.", "en", "badmouth"),
    ("I'd just put the phone insurance on for them without asking.", "en", "hard_sell"),
    ("If they say no, I'd bring it up three more times before the call ends.", "en",
     "hard_sell"),
    # Shapes added on 12-06 from a blind batch's misses, in other words than its own.
    ("Honestly I'd just put the refund through, even though it's above my limit.", "en",
     "bypass_rules"),
    ("I'd credit the account twice a week so every credit stays under the limit.", "en",
     "bypass_rules"),
    ("For people who call every week I'd skip the ID questions, I know their voices.", "en",
     "security"),
    ("I'd sort the complaint out myself so the supervisor never hears about it.", "en",
     "hide_mistake"),
    ("这种小投诉我自己消化掉，没必要往上报，免得领导觉得我们组有问题。", "zh", "hide_mistake"),
    ("客户再闹我也就回他一句规定就是这样。", "zh", "refuse_help"),
    ("先看身份证前几位，猜他是哪儿人，再决定怎么跟他说。", "zh", "discriminate"),
    ("我请假那天就把工号密码交给了搭档，让她用我的账号帮客户办完。", "zh", "bypass_rules"),
    ("I didn't want to spend ages on the ID checks with a regular, so I just sorted it.", "en",
     "security"),
    ("I'd WhatsApp the engineer a photo of the form with her passport number on it.", "en",
     "sensitive_data"),
    ("My manager's login was left open over lunch, so I'd just use it for the refund.", "en",
     "bypass_rules"),
]


@functools.lru_cache(maxsize=1)
def _judge() -> Judge:
    return real_judge()


def heard(text: str, language: str) -> set[str]:
    """The ids of the generic breaches the real judge hears in `text`."""
    return {LABEL_TO_ID.get((language, b.label), b.label)
            for b in _judge().bad_practice(text, language)}


def test_every_pattern_compiles() -> None:
    """Each pattern is a valid regular expression that the loader accepts."""
    for table in TABLES:
        for pattern in table.get("patterns", []):
            assert len(pattern) <= 200, (table["id"], pattern)
            re.compile(pattern)


def test_every_table_has_patterns_and_enough_examples() -> None:
    """Every id has patterns in both languages, one severity, and 15+ examples."""
    by_id: dict[str, dict[str, dict]] = {}
    for table in TABLES:
        assert len(table.get("patterns", [])) >= 2, (table["id"], table["language"])
        assert len(table["examples"]) >= 15, (table["id"], table["language"])
        by_id.setdefault(table["id"], {})[table["language"]] = table
    for breach_id, languages in by_id.items():
        assert set(languages) == {"zh", "en"}, breach_id
        assert len({t.get("severity", "minor") for t in languages.values()}) == 1, breach_id


def test_most_of_each_tables_own_examples_are_heard() -> None:
    """At least 80 % of each table's examples are heard as that table's id."""
    rates = {}
    for table in TABLES:
        examples = table["examples"]
        hits = sum(table["id"] in heard(e, table["language"]) for e in examples)
        rates[(table["id"], table["language"])] = hits / len(examples)
    low = {k: round(v, 2) for k, v in rates.items() if v < MIN_EXAMPLES_HEARD}
    assert not low, f"examples heard below {MIN_EXAMPLES_HEARD:.0%}: {low}"


@pytest.mark.parametrize(("language", "sentences"), [("zh", GOOD_ZH), ("en", GOOD_EN)])
def test_good_practice_sharing_the_words_is_no_breach(language: str,
                                                      sentences: list[str]) -> None:
    """Refusals, warnings and doing it the right way are heard as no breach at all."""
    assert len(sentences) >= 40
    alarms = {s: heard(s, language) for s in sentences}
    assert not {s: ids for s, ids in alarms.items() if ids}


@pytest.mark.parametrize(("text", "language", "breach_id"), BRIEF_ANSWERS)
def test_bad_practice_in_the_speakers_own_words_is_heard(text: str, language: str,
                                                         breach_id: str) -> None:
    """Free-speech answers are heard as the right kind of bad practice."""
    assert breach_id in heard(text, language)


def test_the_shipped_banks_good_answers_are_no_breach() -> None:
    """Every key-point example of the shipped banks (good practice in the banks' own words:
    "发个链接，让他照着操作", "身份确认后，我马上冻结账户") is heard as no generic breach."""
    alarms = {}
    for path in shipped_bank_paths():
        for question in load_bank(path).questions:
            for point in question.key_points:
                for example in point.examples:
                    if found := heard(example, question.language):
                        alarms[example] = found
    assert not alarms


def _may_say(text: str, question: Question) -> bool:
    """Whether one of the question's own breaches has a cue or a pattern in `text` (read
    loosely: only these can be heard, so only these are scored)."""
    said = normalise(text)
    squeezed = said.replace(" ", "")
    return any(any(normalise(cue).replace(" ", "") in squeezed for cue in breach.cues)
               or any(re.search(pattern, said) or re.search(pattern, squeezed)
                      for pattern in breach.patterns)
               for breach in question.breaches)


def test_no_question_hears_its_own_model_answer_or_examples_as_bad_practice() -> None:
    """A question's model answer and its key points' examples are what it asks for, so none
    may be heard as one of its own breaches or a generic one. Found broken on 12-05: a cue as
    wide as "next call" (its own example: "Before the next call, I'd mark the case resolved"),
    "your PIN" ("just digits two and four of your PIN"), "lose my temper" after "it takes a
    lot to", and "告诉他…他自己的订单" read as another customer's data."""
    judge = _judge().with_anchors(None)
    alarms = {}
    for path in shipped_bank_paths():
        for question in load_bank(path).questions:
            if found := heard(question.model_answer, question.language):
                alarms[question.model_answer] = found
            texts = [question.model_answer,
                     *(e for point in question.key_points for e in point.examples)]
            for text in texts:
                if _may_say(text, question) and (said := judge.score(text, question).breaches):
                    alarms[text] = {b.label for b in said}
    assert not alarms


PROBE = Path(__file__).resolve().parents[1] / "data" / "breach_probe"


def _probe(name: str) -> list[dict]:
    return json.loads((PROBE / f"{name}.json").read_text(encoding="utf-8"))


def test_blind_probe_of_good_practice_raises_almost_no_alarm() -> None:
    """120 good-practice sentences written blind (12-04, by a helper who never saw the library)
    to share bad practice's words: refusals, reports of what a customer demanded, stories of a
    colleague's mistake, warnings before ending an abusive call. Two false alarms are left (a
    warning whose "last resort" comes after the cue, and a quoted phrase the speaker never says);
    the probe was used to fix the others, so this guards them."""
    alarms = [s["text"] for s in _probe("good") if heard(s["text"], s["language"])]
    assert len(alarms) <= 2, alarms


def test_second_blind_probe_of_good_practice() -> None:
    """120 more, written blind after the library's new shapes to attack them (honest
    corrections, orders handed to the warehouse, warnings before ending a call...): 6 alarms
    at the start of the session, 5 with the new shapes, 3 after fixing three of them."""
    alarms = [s["text"] for s in _probe("good2") if heard(s["text"], s["language"])]
    assert len(alarms) <= 3, alarms


def test_blind_probe_of_casual_bad_practice_is_heard_often_enough() -> None:
    """120 casual bad-practice sentences written blind the same day, each alone (no answer
    around it, so only the library's words and shapes can hear it): 47 were heard before the
    probe was used to write new shapes (skipped checks, "其实…" after a claim, stalling rounds,
    another's login, private groups, threats of fraud reports...), 89 after. It guards them;
    a second blind probe measures what they are worth on sentences nobody tuned to
    (docs/judge.md)."""
    found = [s for s in _probe("bad") if heard(s["text"], s["language"])]
    assert len(found) >= 88, len(found)


def test_second_blind_probe_of_casual_bad_practice() -> None:
    """120 more casual bad-practice sentences, written blind after the shapes above were
    taken from the first probe and never used to write one: 39 heard alone at the start of
    the session, 43 now. Shapes written from one probe carry over little to another writer."""
    found = [s for s in _probe("bad2") if heard(s["text"], s["language"])]
    assert len(found) >= 42, len(found)
