"""Live sources of the Qt-free core: cameras, video files and streams (`camera`), the newest-frame
buffer (`frame_buffer`), the capture thread (`capture`), and live detection with smoothing, stats,
overlay drawing and recording (`live`), the microphone (`microphone`). Import from the submodules;
nothing here has side effects.
"""
