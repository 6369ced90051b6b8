"""The report's interface text in English and Mandarin (simplified; traditional by OpenCC).

Only the interface is translated here; questions, transcripts, feedback and scorecard
advice come from the session record in the language they were spoken in.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from simulator.report.script import for_script

_STRINGS: dict[str, tuple[str, str]] = {
    "title_practice": ("Interview practice report", "面试练习报告"),
    "title_call": ("Role-play call report", "模拟通话报告"),
    "session": ("Session", "练习"),
    "started": ("Started", "开始时间"),
    "mode": ("Mode", "方式"),
    "bank": ("Question bank", "题库"),
    "model": ("Speech model", "语音模型"),
    "status": ("Status", "状态"),
    "score": ("Score", "得分"),
    "answers": ("Answers", "回答"),
    "summary": ("Summary", "总结"),
    "overview": ("Score per answer", "每道题的得分"),
    "progress": ("Progress over time", "历次进步"),
    "progress_score": ("Score per session", "每次练习的得分"),
    "progress_pace": ("Pace per session", "每次练习的语速"),
    "progress_fillers": ("Fillers per minute", "每分钟口头禅"),
    "question": ("Question", "第"),
    "question_suffix": ("", "题"),
    "section": ("Section", "部分"),
    "follow_up": ("Follow-up", "追问"),
    "your_answer": ("What you said", "你说的话"),
    "recording": ("Recording", "录音"),
    "no_recording": ("Recording not in this folder", "录音不在这个文件夹里"),
    "key_points": ("Key points", "答案要点"),
    "covered": ("covered", "讲到了"),
    "missed": ("missed", "没讲到"),
    "heard": ("heard", "听到"),
    "feedback": ("Feedback", "反馈"),
    "delivery": ("How you sounded", "表达情况"),
    "pace": ("Pace", "语速"),
    "target": ("target", "目标"),
    "fillers": ("Fillers", "口头禅"),
    "pauses": ("Long pauses", "长停顿"),
    "dead_air": ("dead air", "冷场"),
    "timeline": ("Timeline of the answer", "回答时间线"),
    "start_after": ("Started after", "开口用时"),
    "loudness": ("Loudness", "音量"),
    "seconds": (" s", "秒"),
    "none": ("none", "无"),
    "legend_speech": ("speaking", "说话"),
    "legend_filler": ("filler", "口头禅"),
    "legend_pause": ("long pause", "长停顿"),
    "v_fine": ("fine", "合适"),
    "v_too_fast": ("too fast", "太快"),
    "v_too_slow": ("too slow", "太慢"),
    "v_too_many": ("too many", "太多"),
    "v_slow": ("slow", "偏慢"),
    "v_too_quiet": ("too quiet", "太小"),
    "v_clipping": ("clipping", "爆音"),
    "scenario": ("Scenario", "场景"),
    "customer": ("Customer", "客户"),
    "you": ("You", "你"),
    "outcome": ("Outcome", "结果"),
    "call_timeline": ("Who spoke when", "通话时间线"),
    "talk_listen": ("Talk / listen", "说 / 听"),
    "talk_listen_note": ("customer time estimated from the length of each line",
                         "客户说话时长按台词长度估算"),
    "scorecard": ("Scorecard", "评分表"),
    "item": ("Item", "项目"),
    "weight": ("Weight", "权重"),
    "credit": ("Credit", "得分"),
    "advice": ("Advice", "建议"),
    "best": ("Best", "做得最好"),
    "fix": ("Fix first", "最需要改进"),
    "courtesy": ("Courtesy words", "礼貌用语"),
    "branch": ("Customer reacted", "客户反应"),
    "turn": ("Turn", "轮次"),
    "generated": ("Made by interview-sim", "由 interview-sim 生成"),
    "print_hint": ("Recordings play in the browser; the printout shows everything else.",
                   "录音可以在浏览器里播放；打印版包含其余全部内容。"),
}


@functools.lru_cache(maxsize=8)
def ui_strings(language: str | None, script: str | None) -> Mapping[str, str]:
    """Every interface string for a session's language ("zh" or anything else: English)
    and script ("traditional" converts the Mandarin strings with OpenCC)."""
    if language != "zh":
        return {key: en for key, (en, _) in _STRINGS.items()}
    return {key: for_script(zh, script) if script == "traditional" else zh
            for key, (_, zh) in _STRINGS.items()}


def verdict(strings: Mapping[str, str], value: str | None) -> str:
    """A delivery verdict ("too_fast"...) in the interface language; "" for None."""
    if not value:
        return ""
    return strings.get(f"v_{value}", value.replace("_", " "))
