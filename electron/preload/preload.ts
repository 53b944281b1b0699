/**
 * The preload (sandboxed): exposes ONE object, `window.crm`. Nothing else of Electron reaches
 * the renderer: no generic `invoke(channel)`, no ipcRenderer.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildPreloadApi } from './api';

contextBridge.exposeInMainWorld('crm', buildPreloadApi(ipcRenderer));
