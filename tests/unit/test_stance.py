"""Whose act a breach cue is: the speaker's own, someone else's reported words or feelings,
or a warning of what would follow (`simulator/scoring/stance.py`), with the real judge."""

from __future__ import annotations

import pytest

from simulator.scoring.clauses import split_clauses
from simulator.scoring.judge import Judge
from simulator.scoring.stance import excused, reported_spans


def _reported(text: str, language: str) -> list[str]:
    clauses = split_clauses(text, language)
    return [c.normalised[a:b] for c, (a, b) in zip(clauses, reported_spans(clauses, language),
                                                   strict=True) if b > a]


def test_a_quoted_customer_is_reported_until_the_speaker_speaks_again() -> None:
    """After "有客户说：" the customer's clauses are his; the speaker's "我会跟他说：" and what
    follows are the speaker's."""
    text = "比如有客户说：你把那个人的手机号给我，我要找他。我会跟他说：这个真的不能给您。"
    assert _reported(text, "zh") == ["你把那个人的手机号给我", "我要找他"]


def test_a_report_inside_a_clause_ends_where_the_speaker_comes_back() -> None:
    assert _reported("他说是朋友我就给了", "zh") == ["是朋友"]
    assert _reported("If they say just give me his number, I refuse.", "en") == [
        " just give me his number"]
    assert _reported("He said we lost it and we apologised.", "en") == [" we lost it "]


def test_what_a_customer_asks_of_the_speaker_is_theirs() -> None:
    """"客户要求我…": the "我" is the one asked; the request that follows is the customer's,
    and so is an insult ("骂我们是骗子"), but "骂人" alone is no quotation."""
    assert _reported("客户要求我把另一位客人的地址发给他", "zh") == ["我把另1位客人的地址发给他"]
    assert _reported("有位客户希望我帮他删掉差评", "zh") == ["我帮他删掉差评"]
    assert _reported("客户骂我们是骗子公司", "zh") == ["我们是骗子公司"]
    assert _reported("The caller wanted me to read out his wife's balance.", "en") == [
        " me to read out his wifes balance"]


def test_a_wish_without_its_subject_goes_on_reporting() -> None:
    """"有人自称是她丈夫，想查她的账户": the wish is the caller's; the speaker's next clause
    is the speaker's."""
    assert _reported("有人自称是她丈夫，想查她的账户，我婉拒了。", "zh") == [
        "是她丈夫", "想查她的账户"]
    assert _reported("他说要退款，我马上帮他办。", "zh") == ["要退款"]


def test_things_said_by_others_are_not_reports() -> None:
    """"他说的话" is a thing; "the caller and say" has the speaker as its subject; a
    condition ("客户一骂") is not a quotation, so the speaker's next clause stays theirs."""
    assert _reported("我会把他说的话录下来发到网上", "zh") == []
    assert _reported("I'd side with the caller and say head office only wants money.", "en") == []
    assert _reported("客户一骂人，我就直接挂了。", "zh") == []


@pytest.mark.parametrize(("text", "language"), [
    ("比如有客户说：刚才跟我吵架的那个人，你把他手机号给我。我会跟他说：这个真的不行。", "zh"),
    ("If a caller says 'just give me his number', I'd tell them I can't.", "en"),
    ("如果您再骂人，我只能先挂断电话了。", "zh"),
    ("If they keep swearing after a warning, I'd have to end the call.", "en"),
    ("I'd tell them calmly that otherwise I'll have to end the call.", "en"),
    ("我会一次把话说清楚，免得三个同事各回各的。", "zh"),
    ("Rather than hang up on them, I'd let them finish.", "en"),
    ("我要是直接挂了电话，客户只会更生气。", "zh"),
    ("If I just hung up on him, he would only call back angrier.", "en"),
    ("有个客户想联系那个买家，就叫我把对方电话跟地址给他。我跟他说这个真的不能给。", "zh"),
    ("遇到说要曝光的客户，我会先把他的诉求听完。", "zh"),
    ("客户其实就是怕没人理，有人负责他就放心了。", "zh"),
    ("I'd explain it nicely, not like, you're wrong, sir, more like, this is what I see.", "en"),
    ("Most of the time, once you ask them nicely they calm down.", "en"),
    ("Someone rings up, 'can you give me her address?' And I'd say I can't.", "en"),
    ("I keep a tally on a sticky note of how many calls I take.", "en"),
    ("地区只是参考，一听口音就贴标签反而会出事。", "zh"),
    ("Telling them they're wrong only makes it worse.", "en"),
    ("有客户要我把他邻居的电话给他，我就告诉他不行。", "zh"),
    ("客户要求我把他邻居的电话给他，我没答应。", "zh"),
    ("He asked me to give him her number, and I said no.", "en"),
    # Ending a call well: the customer puts the phone down, the speaker's work after it,
    # other agents' habits, a warning without "if", a question whether there is a way.
    ("Then I thank them by name and let them hang up first.", "en"),
    ("She was upset, so I let her put the phone down first.", "en"),
    ("Once I hang up, I finish my notes before the next call.", "en"),
    ("I always wait for the caller to put the phone down before I do.", "en"),
    ("等客户先挂电话，我再挂。", "zh"),
    ("挂完电话我会马上把工单补全。", "zh"),
    ("有的同事一忙就会直接挂掉，这样不对。", "zh"),
    ("您再这样骂人，我只能先挂断了。", "zh"),
    ("我帮您看看我权限内还有没有别的办法。", "zh"),
    ("就是挂完电话让客户打分的那个。", "zh"),
    ("口音重的我放慢一点，多确认两遍。", "zh"),
    # Warning against it: harm after someone supposed doing it, condemned right after it,
    # other agents' habits, a supposed fact the speaker still would not blame.
    ("如果跳过验证，就可能把钱转给骗子。", "zh"),
    ("If you skip the security questions, you put the account at risk.", "en"),
    ("跳过验证是大忌，我绝对不会这么做。", "zh"),
    ("Skipping verification is a big no-no, even for regulars.", "en"),
    ("不核实身份就办理是违规的。", "zh"),
    ("没核对身份之前，我不会告诉他任何信息。", "zh"),
    ("Some agents skip verification to save time, but I never would.", "en"),
    ("如果是客户自己操作错了，我也不会指责他，而是耐心教他。", "zh"),
    ("If it's the customer's own mistake, I still wouldn't blame them.", "en"),
    ("先搞清楚是客户理解错了，还是产品本身有问题。", "zh"),
    ("专业解决的是客户的问题，同理心解决的是情绪。", "zh"),
    ("首次解决率就是客户的问题是不是一次就解决了。", "zh"),
    ("I don't ask the security questions until they've calmed down a bit.", "en"),
    ("There's no point arguing with them.", "en"),
    # A customer's report naming "we" (the company), a promise to make good on a finding.
    ("He said we lost it and wanted us to pay for it.", "en"),
    ("如果核实是我们的问题，我们一定照赔。", "zh"),
    ("认定是我们的责任，我们一定照赔。", "zh"),
    ("If it turns out to be our mistake, we will definitely refund you.", "en"),
    ("Once billing confirms it was our error, I promise you will get the full refund.", "en"),
    # The caller's own number left with the speaker; a change the speaker hears in them.
    ("您看这样行不行，您把情况和您的电话留给我，我帮您转告他。", "zh"),
    ("You could literally hear them calm down.", "en"),
    # A check the customer refuses or that must come first; a fault granted or supposed,
    # then handled kindly.
    ("客户不确认身份，我就不能办。", "zh"),
    ("没核实身份，不能办理任何业务。", "zh"),
    ("没验证身份的来电，一律不处理。", "zh"),
    ("哪怕是客户自己搞错了，我也会耐心解释。", "zh"),
    ("即使是客户理解错了，我也先道歉再说明。", "zh"),
    ("如果确实是客户的问题，我会耐心地跟他说明。", "zh"),
    ("就算是他自己操作失误，我也会帮他想办法。", "zh"),
    ("Even if it's the customer's own fault, I'd explain it gently.", "en"),
    ("If it's their own mistake, I'd politely walk them through it.", "en"),
    ("转发客户信息之前，需要征得客户同意。", "zh"),
    ("预计三个工作日内到账，我会跟进确保到账。", "zh"),
    ("I never promise anything before I have checked the stock.", "en"),
    ("We can change the delivery date for you.", "en"),
    ("录音我会按规定保存，不会发到任何群里。", "zh"),
    # A third person acting with no speaker near ("people get snappy"); a generalisation
    # dreaded before it or refuted after it; "保证" meaning "make sure"; a number that is
    # the caller's own; a check of one's own work done later.
    ("Sometimes people get snappy because they're overloaded.", "en"),
    ("He did post a review, actually, but it described how the matter was put right.", "en"),
    ("我最怕的就是一听口音就给人贴标签，其实每个人都不一样。", "zh"),
    ("我觉得不能说北方人都一样，南方人都一样，每个客户都不一样。", "zh"),
    ("先保证问题真正解决，效率在这个基础上慢慢提。", "zh"),
    ("把录音标出来给组长，保证这个问题后面有人接着跟。", "zh"),
    ("跟买家我也没乱答应，就说已经提交了，改了会通知他。", "zh"),
    ("回电的时间我会写在便签上，说二十分钟就二十分钟。", "zh"),
    ("排班规则也公开了，表格放在共享盘上谁都能看。", "zh"),
    ("之前有个客人在前台哭，说钱包被偷了，护照也在里面。", "zh"),
    ("Before hanging up, I'd give them the new order number.", "en"),
    ("I'd give them a reference and check afterwards that the refund went through.", "en"),
    ("I'd look up the order and check its current status after the outage.", "en"),
    ("I'd be upfront that venting about it in front of everyone is bringing the shift down.",
     "en"),
    ("The worst thing you can do is tell them it's their own fault.", "en"),
    ("That's not my department, but I didn't want to just bounce him.", "en"),
    ("这不归我管，但我没有把他推给别人。", "zh"),
    ("客户看到已结案，就认定钱打过去了，打电话来说我们骗他。", "zh"),
    ("然后我把她拍的吊牌照片发到商品部的群里，请同事核实。", "zh"),
    ("北方客户一般说话比较直，我就直接告诉他结果。", "zh"),
    ("口音重的我就放慢点，一句一句确认。", "zh"),
    ("接着我会把争议的地方整理清楚，对照公司规定和作业流程。", "zh"),
    ("挂了以后，另外两个渠道补一条简短的，告诉他已经电话处理了。", "zh"),
    ("我们修不了，我就把官方售后的地址电话写给她。", "zh"),
    ("If they keep going, I'd give a clear warning, and then I'd end the call professionally.",
     "en"),
])
def test_reported_words_and_warnings_are_not_breaches(judge: Judge, text: str,
                                                      language: str) -> None:
    assert judge.bad_practice(text, language) == ()


@pytest.mark.parametrize(("text", "language"), [
    ("他说是他朋友，那我就把那位客户的手机号给他。", "zh"),
    ("客户一骂人，我就直接挂了。", "zh"),
    ("他要是再骂，我就直接挂了。", "zh"),
    ("我直接挂了，不然没完没了。", "zh"),
    ("我会把他说的话录下来发到网上。", "zh"),
    ("I'd hang up halfway through, otherwise it never ends.", "en"),
    ("If he swears again, I hang up on him straight away.", "en"),
    ("要是客户一直骂，我就直接挂了电话。", "zh"),
    ("If I am busy, I just hang up on him.", "en"),
    ("他叫我把对方电话给他，我就把电话给他了。", "zh"),
    ("我跟他说已经发货了，其实还没发。", "zh"),
    ("他骂得太难听，我就把录音挂到网上曝光他。", "zh"),
    ("I'd tell him to calm down and stop whining.", "en"),
    ("Someone rings up for her address and I just give them her address.", "en"),
    ("他要邻居的电话，我就把电话给他了，反而省事。", "zh"),
    ("客户让我把他邻居的电话给他，我就给了。", "zh"),
    ("他叫我把对方地址发给他，我就照做了。", "zh"),
    ("He asked me to give him her number, so I just did it.", "en"),
    ("Once I hang up on them, I take the next call.", "en"),
    ("有的同事一忙就直接挂了，我也是这样。", "zh"),
    ("没有别的办法，您自己看着办吧。", "zh"),
    ("如果客户很急，我就跳过验证直接办。", "zh"),
    ("If they sound genuine, I skip the security questions.", "en"),
    ("Some agents skip verification to save time, and I do it too.", "en"),
    ("If you skip the security questions, it saves a lot of time.", "en"),
    ("如果跳过验证，能省不少时间。", "zh"),
    ("跳过验证也不危险，熟客嘛。", "zh"),
    ("如果是客户自己操作错了，我就直接说是他自己的错。", "zh"),
    ("我一般不核对身份，直接帮他改。", "zh"),
    ("I don't ask security questions, it wastes time.", "en"),
    ("I wouldn't waste their time with security questions, I'd just refund it.", "en"),
    ("我会直接跟他说，是您没有看清楚说明。", "zh"),
    ("客户气消了，投诉也就不用登记进系统了。", "zh"),
    ("There's no point logging it as a complaint, nothing will change.", "en"),
    ("He said the parcel was late, and we lost it anyway.", "en"),
    ("这次确实是我们的问题，我保证明天一定给您送到。", "zh"),
    ("是我们的问题，我保证一定全额赔偿。", "zh"),
    ("I promise you will get a full refund today.", "en"),
    ("行，我把他的手机号留给您。", "zh"),
    ("Calm down, sir, shouting will not help.", "en"),
    ("如果是客户的问题，我就直接告诉他是他自己的错。", "zh"),
    ("没核实身份就直接帮他改了。", "zh"),
    ("哪怕安全问题答不上来也没关系，我先帮您重置密码。", "zh"),
    ("I wouldn't waste their time going through the security questions.", "en"),
    ("这个不需要再问客户同意，因为我们是为了更好地服务他。", "zh"),
    ("我通常就先直接答应他，三天内一定到账。", "zh"),
    ("I'd promise a replacement before I've even checked the stock.", "en"),
    ("If the system blocks it, I'd change the purchase date on the return.", "en"),
    ("Then I'd put another fifty through next week under a different reason code.", "en"),
    # ...and the same words as the speaker's own act or with customer data.
    ("He forgot his ID, but he seemed honest, so I processed it.", "en"),
    ("I'll make sure he stays on his current price, billing can catch up later.", "en"),
    ("When they ramble on, I get snappy.", "en"),
    ("I'd unlock the account first and check who they are later.", "en"),
    ("I'd tell him off in front of everyone so it doesn't happen again.", "en"),
    ("客户的卡号我顺手写在便签上，贴在显示器边。", "zh"),
    ("客户数据放在共享盘上，谁都能看也没关系。", "zh"),
    ("他急着要，我就说已经发货了，先把他稳住。", "zh"),
    ("您放心，我保证明天一早就送到。", "zh"),
    ("您就说卡被偷了，这笔消费就能撤销。", "zh"),
    ("北方人就是事多，随便应付一下就行，他们都一样。", "zh"),
    ("I'd tell him it's not my department, but I wouldn't be rude about it.", "en"),
    ("我直接跟他说这不归我管，但我不会骂他。", "zh"),
    ("我就打电话过去骗他说已经发货了。", "zh"),
    ("我把他的录音发到同事群里让大家听听。", "zh"),
    ("外地人就是事多，随便应付一下就行。", "zh"),
    ("碰上外地口音的客户，我就咬死政策，一分不让。", "zh"),
    ("I told him I'd check something, put him on hold, and left him there.", "en"),
    ("我就跟他吵到底，看谁有道理。", "zh"),
    ("I'd just end the call, it's not worth it.", "en"),
])
def test_the_speakers_own_breach_is_still_heard(judge: Judge, text: str, language: str) -> None:
    """The attacker's way round it: a report or a condition nearby does not hide an act the
    speaker says they would do."""
    assert judge.bad_practice(text, language)


def test_a_person_named_by_who_they_are_is_reported_too() -> None:
    """"有位先生说…，非要我…": a gentleman, a lady, a colleague says or insists, and the wish
    that goes on without a subject is still theirs."""
    assert _reported("有位先生说寄错了件，非要我把收件人的手机号给他", "zh") == [
        "寄错了件", "非要我把收件人的手机号给他"]
    assert _reported("A woman told me to just read out her son's balance.", "en") == [
        " to just read out her sons balance"]


def test_someone_elses_act_in_a_story_is_theirs() -> None:
    """A story of what a colleague or a customer did is not the speaker's act, up to the
    speaker's own "我"/"I"; a threat reported is the customer's."""
    story = "以前有位同事把客户的地址发错了人"
    assert _reported(story, "zh") == [story]
    assert _reported("客户扬言要把录音发到网上", "zh") == ["要把录音发到网上"]
    assert _reported("A colleague once posted a customer's complaint in the team chat and I "
                     "took it down.", "en") == ["a colleague once posted a customers complaint in "
                                               "the team chat and "]
    assert _reported("My colleague got it wrong, not me.", "en") == []


@pytest.mark.parametrize(("condition", "before", "after", "language", "expected"), [
    # A limit: what the speaker cannot do, not a promise to do it.
    ("", "the amount is more than ", "i can waive myself", "en", True),
    ("", "so ", "i can waive it myself", "en", False),
    ("", "金额超出了", "我能批的范围", "zh", True),
    # A rule granted and turned round, unless what follows the "but" refuses.
    ("", "", "rules are rules，but you still ask why", "en", True),
    ("", "", "rules are rules，but there is nothing i can do", "en", False),
    ("", "", "规定就是规定，但是我会帮您问问主管", "zh", True),
    ("", "", "规定就是规定，没办法", "zh", False),
    # The customer's accusation of the company; the speaker making others do it is theirs.
    ("", "1打进来就说你们", "卖3无产品", "zh", True),
    ("", "我会让你们", "卖3无产品", "zh", False),
    # A mistake owned up to later in the sentence; owning up denied is no excuse.
    ("", "", "其实要1周，是我说错了", "zh", True),
    ("", "", "其实还没发货，我不会说是我说错了", "zh", False),
    ("", "", "it had shipped，i was wrong about that", "en", True),
])
def test_words_around_a_cue_excuse_it_only_when_they_turn_it_round(
        condition: str, before: str, after: str, language: str, expected: bool) -> None:
    assert excused(condition, before, after, language, words=True) is expected


def test_a_negation_cut_from_its_verb_or_governing_a_quotation_withholds_what_follows() -> None:
    """"I wouldn't, like, tell them…", "我不会说“没办法…”就挂了": what follows the open
    negation is not the speaker's act, to the sentence's end or the speaker's next clause."""
    assert _reported("I wouldn't, um, like, tell them they're wrong.", "en") == [
        "like", "tell them they are wrong"]
    assert _reported("我不会说“没办法，这是规定”就挂了。我会先问清情况。", "zh") == [
        "这是规定就挂了"]
    assert _reported("I'd never just go 'nothing I can do, bye' and leave it.", "en") == [
        "bye and leave it"]
    assert _reported("I wouldn't wait around, I'd just give him the number.", "en") == []
    assert _reported("我不会跟他啰嗦，直接把电话给他。", "zh") == []


@pytest.mark.parametrize(("text", "language", "heard"), [
    # An open negation reaches the breach only until the speaker acts.
    ("I wouldn't, like, tell them they're wrong straight away.", "en", False),
    ("I wouldn't just say 'Sorry, nothing I can do' and leave it there.", "en", False),
    ("我不会，嗯，直接把那个人的电话给你。", "zh", False),
    ("我绝不会说“这不归我管，你找别人去”。", "zh", False),
    # The attacker's way round it: the speaker's own clause after the negation still counts.
    ("I wouldn't, like, waste time, I'd just give him her number.", "en", True),
    ("I'd never say no to a customer, so I'd just give him her address.", "en", True),
    ("我不会，嗯，跟他啰嗦，我直接把那个人的电话给他。", "zh", True),
    # Speech has no quotation marks: what a negated saying would have said runs on.
    ("I wouldn't just say sorry, policy is thirty days, and end the call.", "en", False),
    ("我不会直接说抱歉，规定就是这样，然后挂电话。", "zh", False),
    ("I wouldn't just say sorry, I'd hang up on them.", "en", True),
    ("我不等他说完，直接挂了。", "zh", True),  # his saying, not the speaker's
    ("我不会说谎，直接把他邻居的电话给他。", "zh", True),
    # A third person opening the clause does the act; what they want, the speaker does.
    ("老人不会用智能手机，他听两句就挂了。", "zh", False),
    ("他一骂人我就直接挂了。", "zh", True),
    ("客人要什么先答应下来，回头再说。", "zh", True),
    # The speaker's own number is not another customer's data.
    ("我会把我的电话留给同事，有问题随时找我。", "zh", False),
    ("我会把我们客户的电话给他。", "zh", True),
    # An act done only with the other person's consent is no breach.
    ("We can pass their contact details to the other party with consent.", "en", False),
    ("I'd call the other customer and pass on their number only if they agree.", "en", False),
    ("我会先联系那位客户，征得她同意后再把电话转告给他。", "zh", False),
    # Consent denied or skipped is no consent.
    ("I'd just pass on her number without her consent.", "en", True),
    ("我会未经同意就把她的电话给他。", "zh", True),
])
def test_open_negations_and_consent_decide_whether_a_breach_is_the_speakers_act(
        judge: Judge, text: str, language: str, heard: bool) -> None:
    assert bool(judge.bad_practice(text, language)) == heard
