"""The camera panel: live detection or classification on a camera, a video file or a stream."""
